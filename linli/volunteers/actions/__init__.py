"""Every write to volunteers, activities and sign-ups: views, admin, demo and commands call these."""
