"""The directory's text search: query parsing (terms.py), text postings and ranking (text.py)."""
