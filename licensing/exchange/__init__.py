"""Records exchange between authorities (Art. 9.2, 21.1(a)): export of a party's licensing
records and of licences as CSV, XLSX or JSON. The import half comes later."""
