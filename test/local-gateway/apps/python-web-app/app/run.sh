#!/bin/bash
# Start script of the Lambda Web Adapter (the function's Handler): the app listens on $PORT.
exec python main.py
