"""Everyone's own pages (/me): their profile and consents, their organisation, password, security log."""
