"""What the service tells its operators: log lines (logs.py) and the request id that ties together
every line written while serving one request (request_id.py)."""
