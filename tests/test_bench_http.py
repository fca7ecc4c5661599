"""The pure parts of bench/bench_http.py (the load run itself is `make bench-http`)."""

from pathlib import Path

import pytest

from bench.bench_http import bench_database_url, server_times


def test_it_reads_server_time_per_route_from_gunicorns_access_log():
    lines = [
        '127.0.0.1 "GET /bench/floor HTTP/1.1" 200 2 3ms',
        '127.0.0.1 "POST /patient/checkin/ HTTP/1.1" 302 0 41ms',
        '127.0.0.1 "GET /patient/medications/ HTTP/1.1" 200 9000 20ms',
        '127.0.0.1 "POST /patient/medications/ HTTP/1.1" 302 0 30ms',
        '127.0.0.1 "POST /patient/medications/17/stop/ HTTP/1.1" 302 0 25ms',
        '127.0.0.1 "GET /clinician/ HTTP/1.1" 200 50000 80ms',
        '127.0.0.1 "GET /clinician/patients/42/ HTTP/1.1" 200 50000 60ms',
        '127.0.0.1 "GET /clinician/alerts/ HTTP/1.1" 200 50000 70ms',
        '127.0.0.1 "GET /accounts/login/ HTTP/1.1" 200 3000 5ms',  # sign-in: not a route
        "not an access line",
    ]

    assert server_times(lines) == {
        "floor": [3.0],
        "checkin": [41.0],
        "medicines": [20.0],
        "medicine_add": [30.0],
        "medicine_stop": [25.0],
        "dashboard": [80.0],
        "record": [60.0],
        "alert_queue": [70.0],
    }


def test_the_access_log_format_it_parses_is_gunicorns():
    config = {}
    source = (Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text()
    exec(source, config)  # noqa: S102 - our own config file
    assert config["access_log_format"] == '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        (
            "postgres://postgres@127.0.0.1:5432/portal",
            "postgres://postgres@127.0.0.1:5432/portal_bench",
        ),
        (
            "postgres://u:p@db/portal_ci?sslmode=disable",
            "postgres://u:p@db/portal_ci_bench?sslmode=disable",
        ),
    ],
)
def test_it_benches_a_database_of_its_own_next_to_the_configured_one(database_url, expected):
    assert bench_database_url(database_url) == expected


def test_it_refuses_sqlite():
    with pytest.raises(SystemExit):
        bench_database_url("sqlite:///db.sqlite3")
