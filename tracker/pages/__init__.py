"""The analysts' status pages: server-rendered views over the shared selectors."""
