"""The README's set-up commands are the ones CI runs."""

from conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("   #", 1)[0].strip() for line in block.strip().splitlines()]


def test_readme_opens_with_two_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert "cakg" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_both_commands_install_into_a_fresh_virtualenv_in_the_clone():
    serve, test = readme_commands()
    for command in (serve, test):
        assert "python3 -m venv .venv" in command
        assert "python3 -m pip" not in command  # never the machine's own site-packages
    assert ".venv/bin/cakg serve" in serve
    assert ".venv/bin/pip check" in test and ".venv/bin/python -m pytest" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci.index("rm -rf .venv  # always a fresh environment, even where a clone is reused") < ci.index(test)
