"""``scaling-assistant-ui`` started on a port that is taken, or given a port that is not one: one line, exit 2."""

from __future__ import annotations

import socket

import pytest

from ui.app import main


def test_a_busy_port_is_one_line_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exited:
            main(["--port", str(port)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --port: cannot serve on 127.0.0.1:{port} (") and err.count("\n") == 1
    assert "Traceback" not in err and "Pick another port with --port N" in err


@pytest.mark.parametrize("port", ["1e400", "0", "65536", "-1", "http"])
def test_a_port_that_is_not_one_is_refused_by_name(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([f"--port={port}"])
    assert exited.value.code == 2
    assert f"argument --port: got {port!r}; expected a port number from 1 to 65535" in capsys.readouterr().err
