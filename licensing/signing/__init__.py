"""The authority's electronic signature on the documents it issues (PAdES, docs/signing.md):
``signer`` signs (its key from a PKCS#12 file, or from an HSM through ``hsm``), ``checks``
checks a PDF someone holds, ``demo`` makes the demo authority's certificates, and
``system_checks`` keeps the demo's key out of production."""
