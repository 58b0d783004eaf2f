"""The chat upload and the command line import through the one use case in services.imports."""

from __future__ import annotations

import bot.cli_import as cli_import
import notices.uploads as uploads
import services.imports as imports


def test_the_chat_upload_and_the_command_line_call_the_same_import():
    assert uploads.import_results is imports.import_results
    assert cli_import.import_results is imports.import_results
    assert cli_import.import_roster is imports.import_roster
