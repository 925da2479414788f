"""What the tests share: program mocks, analyzer requests, preview runs, AWS test accounts.

Imported as `tests.support.<module>` from every test folder; conftest.py files hold only fixtures.
"""
