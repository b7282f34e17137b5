"""Users (账号), their scope region and their roles (Django groups)."""
