def test_api_root_answers_without_auth(anon_api):
    response = anon_api.get("/api/")
    assert response.status_code == 200
    assert response.json()["apiVersion"] == 477
