"""Loopback fakes of outside services that speak their documented wire formats."""
