"""Telegram faults during ordinary replies: retried, or answered kindly, never silent."""
from bot.devtools.offline import Fault


async def test_a_failing_handler_gets_a_kind_answer_in_the_persons_language(bot, caplog):
    person = bot.person(language_code="km")
    bot.api.faults.append(Fault("sendMessage", error_code=400,
                                description="Bad Request: something odd", chat_id=person.id))
    replies = await person.send("/help")
    assert len(replies) == 1
    assert replies[0].text.startswith("សូមទោស មានបញ្ហាខាងយើង")
    assert replies[0].buttons  # and the menu
    assert "/help" not in caplog.text  # what people write never reaches the log


async def test_retry_after_is_honoured_and_the_reply_arrives(bot):
    person = bot.person(language_code="en")
    bot.api.faults.append(Fault("sendMessage", error_code=429,
                                description="Too Many Requests: retry after 1",
                                retry_after=1, chat_id=person.id))
    replies = await person.send("/menu")
    assert len(replies) == 1
    assert replies[0].text == "What would you like to do? Choose below."
    sends = [params for method, params in bot.api.calls
             if method == "sendMessage" and params.get("chat_id") == person.id]
    assert len(sends) == 2  # refused once, then sent


async def test_a_server_error_on_answering_a_button_does_not_stop_the_reply(bot):
    person = bot.person(language_code="en")
    await person.send("/start")
    bot.api.faults.append(Fault("answerCallbackQuery", error_code=500))
    replies = await person.press("English")
    assert replies and "Sorry, something went wrong" in replies[-1].text
