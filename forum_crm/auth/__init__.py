"""Logging in and out, password reset and invitation links, the language switch (/login, /logout,
/password/..., /invitation/..., /language), and the permission rules every view uses."""
