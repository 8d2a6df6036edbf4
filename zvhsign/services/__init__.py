"""Services: compose the domain, PDF and registry layers into the commands' use cases."""
