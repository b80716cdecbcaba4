"""Exceptions carry an HTTP code and a user-facing message."""

import inspect

from xms.common import exception
from xms.tests import base


def _all_exceptions():
    return [cls for _name, cls in inspect.getmembers(exception,
                                                       inspect.isclass)
            if issubclass(cls, exception.XmsException)]


class TestExceptions(base.TestCase):

    def test_every_exception_has_code_and_message(self):
        for cls in _all_exceptions():
            self.assertIsInstance(cls.code, int, cls.__name__)
            self.assertTrue(400 <= cls.code < 600, cls.__name__)
            self.assertTrue(cls.msg_fmt, cls.__name__)

    def test_client_errors_are_4xx(self):
        for cls, code in ((exception.Invalid, 400),
                          (exception.NotAuthorized, 403),
                          (exception.NotFound, 404),
                          (exception.SourceNotFound, 404),
                          (exception.Conflict, 409),
                          (exception.ActionNotAllowed, 409),
                          (exception.DatabaseUnavailable, 503)):
            self.assertEqual(code, cls.code)

    def test_message_formatting(self):
        exc = exception.SourceInUse(source='s1', jobs=3)
        self.assertEqual('Source s1 is used by 3 unfinished job(s); finish '
                         'or delete them first.', str(exc))
        self.assertEqual(409, exc.kwargs['code'])

    def test_explicit_message_wins(self):
        self.assertEqual('plain', str(exception.Invalid('plain')))

    def test_missing_argument_falls_back_to_format(self):
        exc = exception.JobNotFound(wrong='x')
        self.assertEqual(exception.JobNotFound.msg_fmt, str(exc))
