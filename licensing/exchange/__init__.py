"""Records exchange between authorities (Art. 9.2, 21.1(a)): export of a party's licensing
records and of licences as CSV, XLSX or JSON; import of a legacy licence register, read by
``reading.py``, checked by ``legacy_rows.py`` and ``importing.py``, written by
``services/legacy_import.py``."""
