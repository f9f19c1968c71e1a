def test_app_refuses_nothing_on_valid_mini_site(mini_app):
    client = mini_app.test_client()
    assert client.get("/health").json == {"status": "ok"}
    ready = client.get("/ready").json
    assert ready["status"] == "ready" and ready["triples"] > 0 and len(ready["version"]) == 16


def test_unknown_route_method_gets_405_with_allow(mini_app):
    response = mini_app.test_client().post("/health")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.content_type == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_unexpected_error_is_logged_and_answered_without_internals(mini_app, monkeypatch,
                                                                      caplog):
    """docs/OPERATIONS.md, "Logs": the stack trace stays in the log; the client gets a 500
    problem+json (or an HTML page) that names nothing of it."""
    from regiold.publish import render

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail /srv/secret/path")

    monkeypatch.setattr(render, "representation", broken)
    client = mini_app.test_client()
    with caplog.at_level("ERROR"):
        machine = client.get("/org/alpha.ttl")
        browser = client.get("/org/alpha", headers={"Accept": "text/html"})
    assert machine.status_code == browser.status_code == 500
    assert machine.content_type == "application/problem+json"
    assert machine.json["detail"] == "Unexpected error; it has been logged."
    assert browser.content_type.startswith("text/html")
    for response in (machine, browser):
        text = response.get_data(as_text=True)
        assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert "RuntimeError: internal detail /srv/secret/path" in caplog.text  # the trace is logged
