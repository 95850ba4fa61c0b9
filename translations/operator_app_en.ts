<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name>AppController</name>
    <message>
        <source>You are signed in, but could not be remembered: no password keyring is available.</source>
        <translation>You are signed in, but could not be remembered: no password keyring is available.</translation>
    </message>
</context>
<context>
    <name>AwayWhenIdle</name>
    <message>
        <source>You were set to away after 1 minute without activity</source>
        <translation>You were set to away after 1 minute without activity</translation>
    </message>
    <message>
        <source>You were set to away after %1 minutes without activity</source>
        <translation>You were set to away after %1 minutes without activity</translation>
    </message>
</context>
<context>
    <name>CannedDialog</name>
    <message>
        <source>Canned replies</source>
        <translation>Canned replies</translation>
    </message>
    <message>
        <source>Search shortcut, title or text</source>
        <translation>Search shortcut, title or text</translation>
    </message>
    <message>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>e.g. thanks</source>
        <translation>e.g. thanks</translation>
    </message>
    <message>
        <source>Team reply (everyone can use it)</source>
        <translation>Team reply (everyone can use it)</translation>
    </message>
    <message>
        <source>Only supervisors and admins create or change team replies.</source>
        <translation>Only supervisors and admins create or change team replies.</translation>
    </message>
    <message>
        <source>Placeholders: {visitor.name}, {visitor.email}, {agent.name}, {page.url}. A fallback follows a bar: {visitor.name|customer}.</source>
        <translation>Placeholders: {visitor.name}, {visitor.email}, {agent.name}, {page.url}. A fallback follows a bar: {visitor.name|customer}.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Shortcut (#)</source>
        <translation>Shortcut (#)</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Offline: showing the saved copy. Changes need the server.</source>
        <translation>Offline: showing the saved copy. Changes need the server.</translation>
    </message>
    <message>
        <source>A team reply: only supervisors and admins can change it.</source>
        <translation>A team reply: only supervisors and admins can change it.</translation>
    </message>
    <message>
        <source>The shortcut is 1 to 40 letters, digits, - or _, without spaces.</source>
        <translation>The shortcut is 1 to 40 letters, digits, - or _, without spaces.</translation>
    </message>
    <message>
        <source>Fill in a title and a text.</source>
        <translation>Fill in a title and a text.</translation>
    </message>
    <message>
        <source>Only supervisors and admins may create or change team replies.</source>
        <translation>Only supervisors and admins may create or change team replies.</translation>
    </message>
    <message>
        <source>This canned reply no longer exists.</source>
        <translation>This canned reply no longer exists.</translation>
    </message>
    <message>
        <source>Another canned reply already uses this shortcut.</source>
        <translation>Another canned reply already uses this shortcut.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>Delete canned reply</source>
        <translation>Delete canned reply</translation>
    </message>
    <message>
        <source>Delete #%1?</source>
        <translation>Delete #%1?</translation>
    </message>
    <message>
        <source>Deleted.</source>
        <translation>Deleted.</translation>
    </message>
</context>
<context>
    <name>CannedPopup</name>
    <message>
        <source>↑↓ choose · Tab or Enter inserts · Esc closes</source>
        <translation>↑↓ choose · Tab or Enter inserts · Esc closes</translation>
    </message>
    <message>
        <source>No canned reply matches. Esc closes.</source>
        <translation>No canned reply matches. Esc closes.</translation>
    </message>
</context>
<context>
    <name>CannedReplies</name>
    <message>
        <source>team</source>
        <translation>team</translation>
    </message>
    <message>
        <source>personal</source>
        <translation>personal</translation>
    </message>
</context>
<context>
    <name>ChatAlerts</name>
    <message>
        <source>New chat in the queue</source>
        <translation>New chat in the queue</translation>
    </message>
    <message>
        <source>another operator</source>
        <translation>another operator</translation>
    </message>
    <message>
        <source>Chat transferred to you</source>
        <translation>Chat transferred to you</translation>
    </message>
    <message>
        <source>Visitors are waiting</source>
        <translation>Visitors are waiting</translation>
    </message>
    <message>
        <source>Chats in the queue: %1</source>
        <translation>Chats in the queue: %1</translation>
    </message>
    <message>
        <source>%1 from %2</source>
        <translation>%1 from %2</translation>
    </message>
    <message>
        <source>New chat assigned to you</source>
        <translation>New chat assigned to you</translation>
    </message>
</context>
<context>
    <name>ChatListModel</name>
    <message>
        <source>You: %1</source>
        <translation>You: %1</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>No chat selected</source>
        <translation>No chat selected</translation>
    </message>
    <message>
        <source>Choose one of your chats on the left, or take a visitor from the queue (Ctrl+T).</source>
        <translation>Choose one of your chats on the left, or take a visitor from the queue (Ctrl+T).</translation>
    </message>
    <message>
        <source>Take chat</source>
        <translation>Take chat</translation>
    </message>
    <message>
        <source>Close chat</source>
        <translation>Close chat</translation>
    </message>
    <message>
        <source>End this conversation for you and the visitor.</source>
        <translation>End this conversation for you and the visitor.</translation>
    </message>
    <message>
        <source>Transfer…</source>
        <translation>Transfer…</translation>
    </message>
    <message>
        <source>Hand this chat to a colleague or a group (%1).</source>
        <translation>Hand this chat to a colleague or a group (%1).</translation>
    </message>
    <message>
        <source>Send page…</source>
        <translation>Send page…</translation>
    </message>
    <message>
        <source>Show the visitor a page of your site; they are asked first (%1).</source>
        <translation>Show the visitor a page of your site; they are asked first (%1).</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Write an internal note that only operators see (%1).</source>
        <translation>Write an internal note that only operators see (%1).</translation>
    </message>
    <message>
        <source>Canned…</source>
        <translation>Canned…</translation>
    </message>
    <message>
        <source>Manage canned replies. Type # in the reply box to use one.</source>
        <translation>Manage canned replies. Type # in the reply box to use one.</translation>
    </message>
    <message>
        <source>Waiting in the queue. Take the chat to reply.</source>
        <translation>Waiting in the queue. Take the chat to reply.</translation>
    </message>
    <message>
        <source>You are chatting with this visitor.</source>
        <translation>You are chatting with this visitor.</translation>
    </message>
    <message>
        <source>another operator</source>
        <translation>another operator</translation>
    </message>
    <message>
        <source>Taken by %1</source>
        <translation>Taken by %1</translation>
    </message>
    <message>
        <source>This chat is closed.</source>
        <translation>This chat is closed.</translation>
    </message>
    <message>
        <source>The visitor has not sent a message yet.</source>
        <translation>The visitor has not sent a message yet.</translation>
    </message>
    <message>
        <source>Type a reply. Enter sends, Shift+Enter starts a new line. # inserts a canned reply.</source>
        <translation>Type a reply. Enter sends, Shift+Enter starts a new line. # inserts a canned reply.</translation>
    </message>
    <message>
        <source>Canned &amp;replies…</source>
        <translation>Canned &amp;replies…</translation>
    </message>
    <message>
        <source>Internal &amp;note mode</source>
        <translation>Internal &amp;note mode</translation>
    </message>
    <message>
        <source>Trans&amp;fer chat…</source>
        <translation>Trans&amp;fer chat…</translation>
    </message>
    <message>
        <source>Send a &amp;page to the visitor…</source>
        <translation>Send a &amp;page to the visitor…</translation>
    </message>
    <message>
        <source>&amp;Offline messages…</source>
        <translation>&amp;Offline messages…</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>Add note</translation>
    </message>
    <message>
        <source>Take this chat to reply.</source>
        <translation>Take this chat to reply.</translation>
    </message>
    <message>
        <source>You cannot reply in this chat.</source>
        <translation>You cannot reply in this chat.</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>No messages yet</translation>
    </message>
</context>
<context>
    <name>ChatRowDelegate</name>
    <message>
        <source>Visitor is typing…</source>
        <translation>Visitor is typing…</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>No messages yet</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Type a reply. Enter sends, Shift+Enter starts a new line.</source>
        <translation>Type a reply. Enter sends, Shift+Enter starts a new line.</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>Internal note</source>
        <translation>Internal note</translation>
    </message>
    <message>
        <source>Internal note — the visitor will not see this</source>
        <translation>Internal note — the visitor will not see this</translation>
    </message>
</context>
<context>
    <name>ConnectionIndicator</name>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Reconnecting…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Connected to the server. Messages are delivered live.</source>
        <translation>Connected to the server. Messages are delivered live.</translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation>Connecting to the server…</translation>
    </message>
    <message>
        <source>The connection was lost. Reconnecting; replies are kept and sent later.</source>
        <translation>The connection was lost. Reconnecting; replies are kept and sent later.</translation>
    </message>
    <message>
        <source>No connection to the server. Replies are kept and sent when it is back.</source>
        <translation>No connection to the server. Replies are kept and sent when it is back.</translation>
    </message>
</context>
<context>
    <name>CustomersView</name>
    <message>
        <source>Filter by name, e-mail, page, location or source</source>
        <translation>Filter by name, e-mail, page, location or source</translation>
    </message>
    <message>
        <source>Has a cart</source>
        <translation>Has a cart</translation>
    </message>
    <message>
        <source>Returning</source>
        <translation>Returning</translation>
    </message>
    <message>
        <source>Invite…</source>
        <translation>Invite…</translation>
    </message>
    <message>
        <source>Invite the selected visitor to chat (Enter)</source>
        <translation>Invite the selected visitor to chat (Enter)</translation>
    </message>
    <message>
        <source>Visitors on the website</source>
        <translation>Visitors on the website</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>All states</translation>
    </message>
    <message>
        <source>%1 visitors</source>
        <translation>%1 visitors</translation>
    </message>
    <message>
        <source>%1 of %2 visitors</source>
        <translation>%1 of %2 visitors</translation>
    </message>
    <message>
        <source>No visitor matches these filters.</source>
        <translation>No visitor matches these filters.</translation>
    </message>
    <message>
        <source>Loading the visitors on the website…</source>
        <translation>Loading the visitors on the website…</translation>
    </message>
    <message>
        <source>The list of visitors could not be loaded. It is tried again.</source>
        <translation>The list of visitors could not be loaded. It is tried again.</translation>
    </message>
    <message>
        <source>Nobody is on the website right now.</source>
        <translation>Nobody is on the website right now.</translation>
    </message>
</context>
<context>
    <name>DisplayText</name>
    <message>
        <source>Visitor</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <source>Visitor #%1</source>
        <translation>Visitor #%1</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <source>The server address is not valid. Enter it like https://chat.example.com.</source>
        <translation>The server address is not valid. Enter it like https://chat.example.com.</translation>
    </message>
    <message>
        <source>Wrong e-mail address or password.</source>
        <translation>Wrong e-mail address or password.</translation>
    </message>
    <message>
        <source>Your session has expired. Please sign in again.</source>
        <translation>Your session has expired. Please sign in again.</translation>
    </message>
    <message>
        <source>Cannot reach the server. Check the address and your network connection.</source>
        <translation>Cannot reach the server. Check the address and your network connection.</translation>
    </message>
    <message>
        <source>The server did not answer in time. Please try again.</source>
        <translation>The server did not answer in time. Please try again.</translation>
    </message>
    <message>
        <source>The secure connection to the server failed: its certificate is not trusted. Ask your administrator for the certificate authority file.</source>
        <translation>The secure connection to the server failed: its certificate is not trusted. Ask your administrator for the certificate authority file.</translation>
    </message>
    <message>
        <source>This server uses a different version of the chat protocol. Please update the app.</source>
        <translation>This server uses a different version of the chat protocol. Please update the app.</translation>
    </message>
    <message>
        <source>This address does not answer like a chat server. Check the server address.</source>
        <translation>This address does not answer like a chat server. Check the server address.</translation>
    </message>
    <message>
        <source>Too many attempts. Please wait %1 seconds and try again.</source>
        <translation>Too many attempts. Please wait %1 seconds and try again.</translation>
    </message>
    <message>
        <source>Too many attempts. Please wait a moment and try again.</source>
        <translation>Too many attempts. Please wait a moment and try again.</translation>
    </message>
    <message>
        <source>The server sent an answer this app does not understand.</source>
        <translation>The server sent an answer this app does not understand.</translation>
    </message>
    <message>
        <source>The server reported an error (HTTP %1).</source>
        <translation>The server reported an error (HTTP %1).</translation>
    </message>
    <message>
        <source>Another operator has already taken this chat.</source>
        <translation>Another operator has already taken this chat.</translation>
    </message>
    <message>
        <source>This chat is already closed.</source>
        <translation>This chat is already closed.</translation>
    </message>
    <message>
        <source>You are not accepting chats. Switch your status to accepting first.</source>
        <translation>You are not accepting chats. Switch your status to accepting first.</translation>
    </message>
    <message>
        <source>You are not allowed to do this in this chat.</source>
        <translation>You are not allowed to do this in this chat.</translation>
    </message>
    <message>
        <source>This chat no longer exists.</source>
        <translation>This chat no longer exists.</translation>
    </message>
    <message>
        <source>You are sending too fast. Please wait a moment.</source>
        <translation>You are sending too fast. Please wait a moment.</translation>
    </message>
    <message>
        <source>The server refused this request as invalid.</source>
        <translation>The server refused this request as invalid.</translation>
    </message>
    <message>
        <source>This visitor has already been invited during this visit.</source>
        <translation>This visitor has already been invited during this visit.</translation>
    </message>
    <message>
        <source>This page is not on the website&apos;s own addresses, so it cannot be sent.</source>
        <translation>This page is not on the website&apos;s own addresses, so it cannot be sent.</translation>
    </message>
    <message>
        <source>The server refused the request (%1).</source>
        <translation>The server refused the request (%1).</translation>
    </message>
    <message>
        <source>This visitor is no longer on the website.</source>
        <translation>This visitor is no longer on the website.</translation>
    </message>
    <message>
        <source>You are offline. Please wait until the connection is back.</source>
        <translation>You are offline. Please wait until the connection is back.</translation>
    </message>
    <message>
        <source>Something went wrong. The details are in the log file.</source>
        <translation>Something went wrong. The details are in the log file.</translation>
    </message>
</context>
<context>
    <name>InviteDialog</name>
    <message>
        <source>Invite to chat</source>
        <translation>Invite to chat</translation>
    </message>
    <message>
        <source>Invite %1 to chat. They see your message as a greeting on the page.</source>
        <translation>Invite %1 to chat. They see your message as a greeting on the page.</translation>
    </message>
    <message>
        <source>Free text</source>
        <translation>Free text</translation>
    </message>
    <message>
        <source>Hello! Can I help you find something?</source>
        <translation>Hello! Can I help you find something?</translation>
    </message>
    <message>
        <source>Send invitation</source>
        <translation>Send invitation</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Sending the invitation…</source>
        <translation>Sending the invitation…</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Sign in – Live Chat Operator</source>
        <translation>Sign in – Live Chat Operator</translation>
    </message>
    <message>
        <source>Sign in to your chat server</source>
        <translation>Sign in to your chat server</translation>
    </message>
    <message>
        <source>name@company.com</source>
        <translation>name@company.com</translation>
    </message>
    <message>
        <source>Remember me on this computer</source>
        <translation>Remember me on this computer</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Server:</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>E-mail:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Password:</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Unavailable: no password keyring (such as GNOME Keyring or KWallet) was found on this computer, so you will be asked to sign in each time.</source>
        <translation>Unavailable: no password keyring (such as GNOME Keyring or KWallet) was found on this computer, so you will be asked to sign in each time.</translation>
    </message>
    <message>
        <source>Enter the server address, your e-mail address and your password.</source>
        <translation>Enter the server address, your e-mail address and your password.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Signing in…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Live Chat Operator</source>
        <translation>Live Chat Operator</translation>
    </message>
    <message>
        <source>&amp;Operator</source>
        <translation>&amp;Operator</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Sign &amp;out</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Chat</translation>
    </message>
    <message>
        <source>&amp;Take next chat</source>
        <translation>&amp;Take next chat</translation>
    </message>
    <message>
        <source>Go to &amp;my chats</source>
        <translation>Go to &amp;my chats</translation>
    </message>
    <message>
        <source>Go to the &amp;queue</source>
        <translation>Go to the &amp;queue</translation>
    </message>
    <message>
        <source>Go to the &amp;reply box</source>
        <translation>Go to the &amp;reply box</translation>
    </message>
    <message>
        <source>Next chat with &amp;unread messages</source>
        <translation>Next chat with &amp;unread messages</translation>
    </message>
    <message>
        <source>&amp;Switch to chat</source>
        <translation>&amp;Switch to chat</translation>
    </message>
    <message>
        <source>Chat %1</source>
        <translation>Chat %1</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>System default</translation>
    </message>
    <message>
        <source>The new language is used from the next start of the app.</source>
        <translation>The new language is used from the next start of the app.</translation>
    </message>
    <message>
        <source>%1 – Live Chat Operator</source>
        <translation>%1 – Live Chat Operator</translation>
    </message>
    <message>
        <source>Taking the chat…</source>
        <translation>Taking the chat…</translation>
    </message>
    <message>
        <source>Chat closed.</source>
        <translation>Chat closed.</translation>
    </message>
    <message>
        <source>No unread messages.</source>
        <translation>No unread messages.</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>You</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Internal note by %1 (not shown to the visitor)</source>
        <translation>Internal note by %1 (not shown to the visitor)</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <source>Not delivered</source>
        <translation>Not delivered</translation>
    </message>
    <message>
        <source>Seen</source>
        <translation>Seen</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
</context>
<context>
    <name>OfflineMessagesDialog</name>
    <message>
        <source>Offline messages</source>
        <translation>Offline messages</translation>
    </message>
    <message>
        <source>Visitors left these messages while nobody was accepting chats. Answer them by e-mail from your mail program; tickets for answering in the app will come in a later version.</source>
        <translation>Visitors left these messages while nobody was accepting chats. Answer them by e-mail from your mail program; tickets for answering in the app will come in a later version.</translation>
    </message>
    <message>
        <source>Choose a message to read it in full.</source>
        <translation>Choose a message to read it in full.</translation>
    </message>
    <message>
        <source>Copy e-mail address</source>
        <translation>Copy e-mail address</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>Messages: %1</source>
        <translation>Messages: %1</translation>
    </message>
    <message>
        <source>No offline messages.</source>
        <translation>No offline messages.</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(no name)</translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation>Copied %1</translation>
    </message>
</context>
<context>
    <name>OfflineMessagesModel</name>
    <message>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(no name)</translation>
    </message>
</context>
<context>
    <name>PagePushDialog</name>
    <message>
        <source>Send a page</source>
        <translation>Send a page</translation>
    </message>
    <message>
        <source>Show %1 a page of your site. They are asked before it opens.</source>
        <translation>Show %1 a page of your site. They are asked before it opens.</translation>
    </message>
    <message>
        <source>Page address</source>
        <translation>Page address</translation>
    </message>
    <message>
        <source>Send page</source>
        <translation>Send page</translation>
    </message>
    <message>
        <source>Enter a full address starting with https:// or http://.</source>
        <translation>Enter a full address starting with https:// or http://.</translation>
    </message>
    <message>
        <source>This address is not on your site, so it cannot be sent. Only pages of the site&apos;s own addresses can be shown to the visitor.</source>
        <translation>This address is not on your site, so it cannot be sent. Only pages of the site&apos;s own addresses can be shown to the visitor.</translation>
    </message>
</context>
<context>
    <name>PastChatDialog</name>
    <message>
        <source>Chat with %1</source>
        <translation>Chat with %1</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Loading the chat…</source>
        <translation>Loading the chat…</translation>
    </message>
    <message>
        <source>This chat has no messages.</source>
        <translation>This chat has no messages.</translation>
    </message>
    <message>
        <source>(internal note)</source>
        <translation>(internal note)</translation>
    </message>
    <message>
        <source>good</source>
        <translation>good</translation>
    </message>
    <message>
        <source>bad</source>
        <translation>bad</translation>
    </message>
    <message>
        <source>Rated %1</source>
        <translation>Rated %1</translation>
    </message>
    <message>
        <source>The chat was closed.</source>
        <translation>The chat was closed.</translation>
    </message>
    <message>
        <source>%1 took the chat.</source>
        <translation>%1 took the chat.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Sounds</source>
        <translation>Sounds</translation>
    </message>
    <message>
        <source>&amp;Mute all sounds</source>
        <translation>&amp;Mute all sounds</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>Volume</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Test</translation>
    </message>
    <message>
        <source>&amp;Volume:</source>
        <translation>&amp;Volume:</translation>
    </message>
    <message>
        <source>Play a sound for:</source>
        <translation>Play a sound for:</translation>
    </message>
    <message>
        <source>A new chat in the &amp;queue</source>
        <translation>A new chat in the &amp;queue</translation>
    </message>
    <message>
        <source>A &amp;new message from a visitor</source>
        <translation>A &amp;new message from a visitor</translation>
    </message>
    <message>
        <source>A chat &amp;transferred or assigned to me</source>
        <translation>A chat &amp;transferred or assigned to me</translation>
    </message>
    <message>
        <source>&amp;Reminders while a chat waits in the queue</source>
        <translation>&amp;Reminders while a chat waits in the queue</translation>
    </message>
    <message>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <source>Show &amp;desktop notifications</source>
        <translation>Show &amp;desktop notifications</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>System default</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Language:</translation>
    </message>
    <message>
        <source>The new language is used from the next start of the app.</source>
        <translation>The new language is used from the next start of the app.</translation>
    </message>
</context>
<context>
    <name>SidePane</name>
    <message>
        <source>No chats yet. Take one from the queue.</source>
        <translation>No chats yet. Take one from the queue.</translation>
    </message>
    <message>
        <source>My chats</source>
        <translation>My chats</translation>
    </message>
    <message>
        <source>Take chat</source>
        <translation>Take chat</translation>
    </message>
    <message>
        <source>Take the selected chat, or the one waiting longest (Ctrl+T)</source>
        <translation>Take the selected chat, or the one waiting longest (Ctrl+T)</translation>
    </message>
    <message>
        <source>Nobody is waiting.</source>
        <translation>Nobody is waiting.</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Queue</translation>
    </message>
    <message>
        <source>My chats (%1)</source>
        <translation>My chats (%1)</translation>
    </message>
    <message>
        <source>Queue (%1)</source>
        <translation>Queue (%1)</translation>
    </message>
</context>
<context>
    <name>SneakPeekLabel</name>
    <message>
        <source>Visitor is typing:</source>
        <translation>Visitor is typing:</translation>
    </message>
</context>
<context>
    <name>StatusSwitch</name>
    <message>
        <source>Accepting chats</source>
        <translation>Accepting chats</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Away</translation>
    </message>
    <message>
        <source>You were away, so no new chats are offered to you. Click to start accepting.</source>
        <translation>You were away, so no new chats are offered to you. Click to start accepting.</translation>
    </message>
    <message>
        <source>Not accepting chats</source>
        <translation>Not accepting chats</translation>
    </message>
    <message>
        <source>New chats are offered to you. Click to stop accepting.</source>
        <translation>New chats are offered to you. Click to stop accepting.</translation>
    </message>
    <message>
        <source>No new chats are offered to you. Click to start accepting.</source>
        <translation>No new chats are offered to you. Click to start accepting.</translation>
    </message>
</context>
<context>
    <name>SupervisedChatsModel</name>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>(queued)</source>
        <translation>(queued)</translation>
    </message>
</context>
<context>
    <name>SupervisionView</name>
    <message>
        <source>No teammate has an open chat right now.</source>
        <translation>No teammate has an open chat right now.</translation>
    </message>
    <message>
        <source>The supervised chats could not be loaded.</source>
        <translation>The supervised chats could not be loaded.</translation>
    </message>
</context>
<context>
    <name>Traffic</name>
    <message>
        <source>Visitor</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <source>Visitor #%1</source>
        <translation>Visitor #%1</translation>
    </message>
    <message>
        <source>browsing</source>
        <translation>browsing</translation>
    </message>
    <message>
        <source>invited</source>
        <translation>invited</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>queued</translation>
    </message>
    <message>
        <source>chatting</source>
        <translation>chatting</translation>
    </message>
    <message>
        <source>left</source>
        <translation>left</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Desktop</translation>
    </message>
    <message>
        <source>Tablet</source>
        <translation>Tablet</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>Mobile</translation>
    </message>
    <message>
        <source>Unknown device</source>
        <translation>Unknown device</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>Direct</translation>
    </message>
</context>
<context>
    <name>TrafficModel</name>
    <message>
        <source>Visitor</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Current page</source>
        <translation>Current page</translation>
    </message>
    <message>
        <source>Time on site</source>
        <translation>Time on site</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>Visits</translation>
    </message>
    <message>
        <source>Cart</source>
        <translation>Cart</translation>
    </message>
    <message>
        <source>Language / location</source>
        <translation>Language / location</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
</context>
<context>
    <name>TranscriptModel</name>
    <message>
        <source>an operator</source>
        <translation>an operator</translation>
    </message>
    <message>
        <source>The visitor is waiting in the queue</source>
        <translation>The visitor is waiting in the queue</translation>
    </message>
    <message>
        <source>Chat transferred from %1 to %2</source>
        <translation>Chat transferred from %1 to %2</translation>
    </message>
    <message>
        <source>Chat assigned to %1</source>
        <translation>Chat assigned to %1</translation>
    </message>
    <message>
        <source>Chat taken by %1</source>
        <translation>Chat taken by %1</translation>
    </message>
    <message>
        <source>Chat closed after a period of inactivity</source>
        <translation>Chat closed after a period of inactivity</translation>
    </message>
    <message>
        <source>The visitor closed the chat</source>
        <translation>The visitor closed the chat</translation>
    </message>
    <message>
        <source>Chat closed by %1</source>
        <translation>Chat closed by %1</translation>
    </message>
    <message>
        <source>Chat closed</source>
        <translation>Chat closed</translation>
    </message>
    <message>
        <source>Chat started</source>
        <translation>Chat started</translation>
    </message>
    <message>
        <source>The visitor rated the chat as good</source>
        <translation>The visitor rated the chat as good</translation>
    </message>
    <message>
        <source>The visitor rated the chat as bad</source>
        <translation>The visitor rated the chat as bad</translation>
    </message>
    <message>
        <source>The visitor opened the page %1</source>
        <translation>The visitor opened the page %1</translation>
    </message>
    <message>
        <source>The visitor declined the page %1</source>
        <translation>The visitor declined the page %1</translation>
    </message>
    <message>
        <source>%2 offered the visitor the page %1</source>
        <translation>%2 offered the visitor the page %1</translation>
    </message>
    <message>
        <source>Transferred from %1: %2</source>
        <translation>Transferred from %1: %2</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <source>Transcript</source>
        <translation>Transcript</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer chat</source>
        <translation>Transfer chat</translation>
    </message>
    <message>
        <source>Transfer the chat with %1 to:</source>
        <translation>Transfer the chat with %1 to:</translation>
    </message>
    <message>
        <source>Greyed-out colleagues cannot take a chat now: the reason is shown beside their name.</source>
        <translation>Greyed-out colleagues cannot take a chat now: the reason is shown beside their name.</translation>
    </message>
    <message>
        <source>Note for the colleague (only operators see it):</source>
        <translation>Note for the colleague (only operators see it):</translation>
    </message>
    <message>
        <source>What should they know? (optional)</source>
        <translation>What should they know? (optional)</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Loading colleagues…</source>
        <translation>Loading colleagues…</translation>
    </message>
    <message>
        <source>There is nobody to transfer to.</source>
        <translation>There is nobody to transfer to.</translation>
    </message>
    <message>
        <source>Transferring…</source>
        <translation>Transferring…</translation>
    </message>
    <message>
        <source>The transfer was refused: %1 The chat stays with you.</source>
        <translation>The transfer was refused: %1 The chat stays with you.</translation>
    </message>
</context>
<context>
    <name>TransferTargets</name>
    <message>
        <source>%1 of %2 chats</source>
        <translation>%1 of %2 chats</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>away</source>
        <translation>away</translation>
    </message>
    <message>
        <source>not accepting chats</source>
        <translation>not accepting chats</translation>
    </message>
    <message>
        <source>full</source>
        <translation>full</translation>
    </message>
    <message>
        <source>group queue</source>
        <translation>group queue</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Group</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Accepting chats</source>
        <translation>Accepting chats</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Away</translation>
    </message>
    <message>
        <source>Not accepting chats</source>
        <translation>Not accepting chats</translation>
    </message>
    <message>
        <source>Live Chat Operator: %1</source>
        <translation>Live Chat Operator: %1</translation>
    </message>
    <message>
        <source>%1 chats, %2 unread, %3 in the queue</source>
        <translation>%1 chats, %2 unread, %3 in the queue</translation>
    </message>
</context>
<context>
    <name>VisitorSections</name>
    <message>
        <source>%1 pages</source>
        <translation>%1 pages</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>waiting</translation>
    </message>
    <message>
        <source>open</source>
        <translation>open</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Qty</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Price</translation>
    </message>
</context>
<context>
    <name>VisitorSidebar</name>
    <message>
        <source>Visitor details</source>
        <translation>Visitor details</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>Copy to the clipboard</source>
        <translation>Copy to the clipboard</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>Time zone</translation>
    </message>
    <message>
        <source>Local time</source>
        <translation>Local time</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Current page</source>
        <translation>Current page</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Referrer</source>
        <translation>Referrer</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>Visits</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Visits and pages</source>
        <translation>Visits and pages</translation>
    </message>
    <message>
        <source>Previous chats (double-click to read)</source>
        <translation>Previous chats (double-click to read)</translation>
    </message>
    <message>
        <source>Custom data</source>
        <translation>Custom data</translation>
    </message>
    <message>
        <source>Cart</source>
        <translation>Cart</translation>
    </message>
    <message>
        <source>Select a chat or a visitor to see the details.</source>
        <translation>Select a chat or a visitor to see the details.</translation>
    </message>
    <message>
        <source>Loading the visitor…</source>
        <translation>Loading the visitor…</translation>
    </message>
    <message>
        <source>%1 (approximate)</source>
        <translation>%1 (approximate)</translation>
    </message>
    <message>
        <source>%1 (first %2)</source>
        <translation>%1 (first %2)</translation>
    </message>
    <message>
        <source>Total: %1</source>
        <translation>Total: %1</translation>
    </message>
    <message>
        <source>Not on the website now</source>
        <translation>Not on the website now</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
</context>
<context>
    <name>WatchPanel</name>
    <message>
        <source>Stop watching</source>
        <translation>Stop watching</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Join</translation>
    </message>
    <message>
        <source>Join the chat to write to the visitor too</source>
        <translation>Join the chat to write to the visitor too</translation>
    </message>
    <message>
        <source>Take over</source>
        <translation>Take over</translation>
    </message>
    <message>
        <source>Write to the visitor (Enter sends)</source>
        <translation>Write to the visitor (Enter sends)</translation>
    </message>
    <message>
        <source>Whisper to the agent (the visitor does not see it)</source>
        <translation>Whisper to the agent (the visitor does not see it)</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>nobody</translation>
    </message>
    <message>
        <source>%1 with %2</source>
        <translation>%1 with %2</translation>
    </message>
    <message>
        <source>The agent is typing…</source>
        <translation>The agent is typing…</translation>
    </message>
    <message>
        <source>Take this chat over? It becomes yours and the agent is told.</source>
        <translation>Take this chat over? It becomes yours and the agent is told.</translation>
    </message>
</context>
<context>
    <name>Workspaces</name>
    <message>
        <source>C&amp;ustomers on the website</source>
        <translation>C&amp;ustomers on the website</translation>
    </message>
    <message>
        <source>Show the visitors on the website (Ctrl+Shift+C)</source>
        <translation>Show the visitors on the website (Ctrl+Shift+C)</translation>
    </message>
    <message>
        <source>&amp;Chats</source>
        <translation>&amp;Chats</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Supervised chats</source>
        <translation>&amp;Supervised chats</translation>
    </message>
    <message>
        <source>Watch your teammates&apos; chats (Ctrl+Shift+S)</source>
        <translation>Watch your teammates&apos; chats (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Invitation sent to %1.</source>
        <translation>Invitation sent to %1.</translation>
    </message>
</context>
</TS>
