"""Files sent in chats and tickets: where their bytes are kept (`store`), what they are (`inspect`)
and what their names may be (`names`). No SQL here: the rows that describe them are `domain/`'s."""
