"""The public web portal at /portal/ for applicants and licensees (plain Django templates)."""
