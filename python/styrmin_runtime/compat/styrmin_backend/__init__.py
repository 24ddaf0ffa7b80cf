"""Import path kept for actions written for the public Styrmin driver format."""
