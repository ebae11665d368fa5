"""indicators: propose codebook codes for Dutch helpline chat transcripts, with evidence."""

__version__ = "0.1.0"
