"""Staff authentication: hashed passwords, bearer tokens, role checks."""
