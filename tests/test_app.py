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
