"""Renders update each task's own list item in place, keyed by the task's id: what a person points at,
focuses or types into is never swapped for a copy while they use it."""

from playwright.sync_api import expect

from tests.e2e.pages import LateAnswers, SlowNetwork, rename_elsewhere, signed_up


def test_answers_from_the_server_update_items_in_place(page, live_server):
    tasks, _ = signed_up(page)
    tasks.add("Walk the dog", "Write report", "Buy milk")
    watch = tasks.watch_items()

    rename_elsewhere(page, live_server, "Buy milk", "Buy oat milk")
    tasks.toggle("Buy milk")
    expect(tasks.toggle_box("Buy oat milk")).to_be_checked()  # the write's answer, on screen
    tasks.add("Call mum")  # shown at once as pending, then as the server's task
    tasks.rename("Walk the dog", "Walk the dogs")
    tasks.describe("Write report", "Q3 numbers")
    expect(tasks.item("Write report")).to_contain_text("Q3 numbers")
    tasks.expect_titles("Call mum", "Walk the dogs", "Write report", "Buy oat milk")
    tasks.expect_saved()  # every answer is in, and rendered

    assert watch.lost() == []
    assert watch.removed() == []
    assert watch.added() == ["Call mum"]  # one element, from pending to saved
    tasks.delete("Walk the dogs")
    tasks.expect_titles("Call mum", "Write report", "Buy oat milk")
    assert watch.removed() == ["Walk the dogs"]


def test_a_reload_of_the_servers_truth_updates_items_in_place(page):
    tasks, _ = signed_up(page)
    tasks.add("One", "Two", "Three")
    watch = tasks.watch_items()

    def refuse_changes(route):
        if route.request.method == "PATCH":
            route.fulfill(status=500, body="oops")
        else:
            route.fallback()

    page.route("**/tasks?**", refuse_changes)  # the bulk change: PATCH /tasks?completed=false
    page.get_by_label("Mark all as complete").check()  # shown at once, refused, then reloaded
    expect(tasks.alert).to_contain_text("Could not update every task")
    for title in ("One", "Two", "Three"):
        expect(tasks.toggle_box(title)).not_to_be_checked()
    tasks.expect_counter("3 items left")
    assert watch.lost() == []
    assert watch.removed() == []
    assert watch.added() == []


def test_an_open_title_editor_survives_background_renders(page, live_server):
    tasks, _ = signed_up(page)
    tasks.add("Buy milk", "Write report")
    network = SlowNetwork(page, "POST", "PATCH")
    tasks.toggle("Buy milk")  # the answers to these two arrive while the person is typing
    tasks.new_task.fill("Call mum")
    tasks.new_task.press("Enter")
    editor = tasks.start_editing("Write report")
    expect(editor).to_be_focused()
    editor.press("End")
    page.keyboard.type(" today")
    for _ in " today":
        page.keyboard.press("ArrowLeft")
    editor.evaluate("input => { window.openEditor = input; }")

    rename_elsewhere(page, live_server, "Buy milk", "Buy oat milk")
    network.release("PATCH")
    expect(tasks.toggle_box("Buy oat milk")).to_be_checked()  # that answer is rendered
    network.release("POST")
    expect(tasks.toggle_box("Call mum")).to_be_enabled()  # and that one

    expect(editor).to_be_focused()
    expect(editor).to_have_value("Write report today")
    assert editor.evaluate("input => input === window.openEditor"), "the editor was replaced"
    page.keyboard.type(" draft")  # the caret is where the person left it
    expect(editor).to_have_value("Write report draft today")
    page.keyboard.press("Enter")
    saved = "Write report draft today"
    expect(tasks.item(saved).get_by_text(saved, exact=True)).to_be_focused()  # back on the title
    tasks.expect_titles("Call mum", "Write report draft today", "Buy oat milk")


def test_changes_reach_the_server_in_the_order_they_were_made(page):
    tasks, _ = signed_up(page)
    tasks.add("One", "Two", "Three")
    network = SlowNetwork(page, "PATCH")
    mark_all = page.get_by_label("Mark all as complete")
    mark_all.check()  # its changes are still on their way...
    mark_all.uncheck()  # ...when the person changes their mind
    tasks.expect_counter("3 items left")
    tasks.toggle("Two")  # and then completes one
    tasks.expect_counter("2 items left")
    network.resume()
    tasks = tasks.reload()
    tasks.expect_counter("2 items left")
    expect(tasks.toggle_box("Two")).to_be_checked()
    expect(tasks.toggle_box("One")).not_to_be_checked()


def test_a_load_never_shows_the_list_from_before_a_change(page):
    tasks, _ = signed_up(page)
    tasks.add("Buy milk", "Call mum")
    writes = SlowNetwork(page, "PATCH")
    tasks.toggle("Buy milk")  # on its way to the server
    answers = LateAnswers(page)
    tasks.show("Active")  # a read the server may answer before it has the change
    with page.expect_response(lambda response: response.request.method == "PATCH"):
        writes.resume()
    answers.resume()  # that answer arrives after the change is saved
    tasks.expect_titles("Call mum")
    tasks.expect_counter("1 item left")
