"""The authority's electronic signature on the documents it issues (PAdES): ``signer`` signs,
``checks`` checks a PDF someone holds, ``demo`` makes the demo authority's certificates."""
