"""The 三资 back office: Django project package (settings, urls) and the record-type apps."""
