"""Runs many `aws ... --debug` commands in one Python process, for aws-cli-differential.e2e.test.ts.

Started with the interpreter of the machine's `aws` script (its shebang), so the reference is the awscli and
botocore that `aws` runs. Reads one JSON document from stdin: a list of set-ups, each
{"env": {NAME: VALUE}, "cwd": PATH, "argv": [ARG, ...]} (argv without the leading "aws"). For each set-up it
does what a new `aws` process would: os.environ becomes exactly "env", the cwd "cwd", and a fresh CLI driver
(awscli.clidriver.create_clidriver: a new botocore session, so the environment and the config files are read
again) runs "argv". Module state the CLI keeps is per driver or per session, except what importing awscli does
to os.environ (AWS_DATA_PATH), which is done again for each set-up. Writes one JSON document to stdout: {"awscli": VERSION, "botocore": VERSION, "runs":
[{"rc": EXIT_CODE, "stderr": TEXT}, ...]}, in the order of the set-ups, where TEXT is what the command wrote
to stderr, --debug log included.
"""

import importlib
import io
import json
import logging
import os
import sys

import awscli
import awscli.clidriver
import botocore
import botocore.session

# The bundled data files (service models, endpoints.json, awscli's own data) are the same for every set-up with the
# same search path (AWS_DATA_PATH): one loader per search path, instead of parsing them again per set-up (two thirds
# of a set-up's CPU). The environment and the config files are still read by each set-up's new session.
_loaders = {}
_create_loader = botocore.session.create_loader


def shared_loader(search_path_string=None):
    if search_path_string not in _loaders:
        _loaders[search_path_string] = _create_loader(search_path_string)
    return _loaders[search_path_string]


botocore.session.create_loader = shared_loader

# The loggers `aws --debug` attaches a stderr handler to (CLIDriver._handle_top_level_args).
DEBUG_LOGGERS = ('botocore', 'awscli', 's3transfer', 'urllib3')


def run(setup):
    os.environ.clear()
    os.environ.update(setup['env'])
    # What the `aws` script does before importing the CLI, then what importing awscli does to the environment
    # (it puts its data directory on AWS_DATA_PATH, after any the environment gives).
    if os.environ.get('LC_CTYPE', '') == 'UTF-8':
        os.environ['LC_CTYPE'] = 'en_US.UTF-8'
    importlib.reload(awscli)
    os.chdir(setup['cwd'])
    err = io.StringIO()
    out = io.StringIO()
    sys.argv = ['aws', *setup['argv']]
    sys.stdout, sys.stderr = out, err
    try:
        # The handlers --debug adds write to sys.stderr as it is when they are created: this set-up's buffer.
        rc = awscli.clidriver.create_clidriver().main(setup['argv'])
    except SystemExit as exit:
        rc = exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        # A process would end here: drop the handlers so the next set-up's log goes to its own buffer only.
        for name in DEBUG_LOGGERS:
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)
    return {'rc': rc, 'stderr': err.getvalue()}


def main():
    setups = json.load(sys.stdin)
    runs = [run(setup) for setup in setups]
    json.dump({'awscli': awscli.__version__, 'botocore': botocore.__version__, 'runs': runs}, sys.__stdout__)


if __name__ == '__main__':
    main()
