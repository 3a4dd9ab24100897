"""Reading council papers and splitting them into structured, citable chunks."""
