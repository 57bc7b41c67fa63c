"""Alerts for people who don't program: Atom feeds of status changes and e-mail to subscribers."""
