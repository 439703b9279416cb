"""/healthz: is this app server fit to serve, for a load balancer or an uptime monitor."""
