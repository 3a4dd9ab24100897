"""The hybrid index: BM25 over our own tokens, sentence embeddings in FAISS, and their folder."""
