def test_smoke(make_user, post):
    u = make_user()
    n = post(u, "Go kill yourself, loser")
    assert n.state == "held", n.state
    n2 = post(u, "Lovely dumplings at the market today")
    assert n2.state == "published"
