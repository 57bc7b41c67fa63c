"""Reading a report's sentences for crossing status claims: text folding and matching (text), the built-in
vocabulary of three languages (lexicon), and the clause-level extractor (extract). Pure: no database, no network."""
