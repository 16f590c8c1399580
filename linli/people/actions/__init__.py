"""Every write to the registry (linli.people): views, API, imports, admin and commands call these."""
