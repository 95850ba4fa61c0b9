<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name>AdminDialog</name>
    <message>
        <source>Administration</source>
        <translation>Administration</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>Could not load: %1</source>
        <translation>Could not load: %1</translation>
    </message>
</context>
<context>
    <name>AdminRefusal</name>
    <message>
        <source>This already exists.</source>
        <translation>This already exists.</translation>
    </message>
    <message>
        <source>The server refused this change.</source>
        <translation>The server refused this change.</translation>
    </message>
    <message>
        <source>This no longer exists on the server. Reload the page.</source>
        <translation>This no longer exists on the server. Reload the page.</translation>
    </message>
    <message>
        <source>The server refused these values.</source>
        <translation>The server refused these values.</translation>
    </message>
    <message>
        <source>The password is wrong.</source>
        <translation>The password is wrong.</translation>
    </message>
    <message>
        <source>%1 (Server: %2)</source>
        <translation>%1 (Server: %2)</translation>
    </message>
</context>
<context>
    <name>AgentFormDialog</name>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Default</translation>
    </message>
    <message>
        <source>How many chats the agent holds at once; Default uses the routing setting.</source>
        <translation>How many chats the agent holds at once; Default uses the routing setting.</translation>
    </message>
    <message>
        <source>&amp;E-mail</source>
        <translation>&amp;E-mail</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Role</translation>
    </message>
    <message>
        <source>&amp;Groups</source>
        <translation>&amp;Groups</translation>
    </message>
    <message>
        <source>Chat &amp;limit</source>
        <translation>Chat &amp;limit</translation>
    </message>
    <message>
        <source>Enter the agent&apos;s e-mail address.</source>
        <translation>Enter the agent&apos;s e-mail address.</translation>
    </message>
    <message>
        <source>Enter the agent&apos;s name.</source>
        <translation>Enter the agent&apos;s name.</translation>
    </message>
</context>
<context>
    <name>AgentsModel</name>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>Admin</translation>
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
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Groups</translation>
    </message>
    <message>
        <source>Chat limit</source>
        <translation>Chat limit</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Default</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>Deactivated</translation>
    </message>
</context>
<context>
    <name>AgentsPage</name>
    <message>
        <source>&amp;New agent…</source>
        <translation>&amp;New agent…</translation>
    </message>
    <message>
        <source>&amp;Change…</source>
        <translation>&amp;Change…</translation>
    </message>
    <message>
        <source>&amp;Deactivate…</source>
        <translation>&amp;Deactivate…</translation>
    </message>
    <message>
        <source>Reset &amp;password…</source>
        <translation>Reset &amp;password…</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>&amp;Reload</translation>
    </message>
    <message>
        <source>Agents</source>
        <translation>Agents</translation>
    </message>
    <message>
        <source>No agent accounts yet.</source>
        <translation>No agent accounts yet.</translation>
    </message>
    <message>
        <source>Re&amp;activate…</source>
        <translation>Re&amp;activate…</translation>
    </message>
    <message>
        <source>%1 was created.</source>
        <translation>%1 was created.</translation>
    </message>
    <message>
        <source>The changes to %1 were saved.</source>
        <translation>The changes to %1 were saved.</translation>
    </message>
    <message>
        <source>Deactivate agent</source>
        <translation>Deactivate agent</translation>
    </message>
    <message>
        <source>Deactivate %1? They are signed out at once: the app closes its connection right now, and they can no longer sign in. You can reactivate the account later.</source>
        <translation>Deactivate %1? They are signed out at once: the app closes its connection right now, and they can no longer sign in. You can reactivate the account later.</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>Deactivate</translation>
    </message>
    <message>
        <source>Reactivate agent</source>
        <translation>Reactivate agent</translation>
    </message>
    <message>
        <source>Reactivate %1? They can sign in again with their password.</source>
        <translation>Reactivate %1? They can sign in again with their password.</translation>
    </message>
    <message>
        <source>Reactivate</source>
        <translation>Reactivate</translation>
    </message>
    <message>
        <source>%1 was deactivated.</source>
        <translation>%1 was deactivated.</translation>
    </message>
    <message>
        <source>%1 was reactivated.</source>
        <translation>%1 was reactivated.</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>Reset password</translation>
    </message>
    <message>
        <source>Give %1 a new temporary password? Their current password stops working and they are signed out everywhere; they choose a new password when they sign in.</source>
        <translation>Give %1 a new temporary password? Their current password stops working and they are signed out everywhere; they choose a new password when they sign in.</translation>
    </message>
    <message>
        <source>The password of %1 was reset.</source>
        <translation>The password of %1 was reset.</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <source>You are signed in, but could not be remembered: no password keyring is available.</source>
        <translation>You are signed in, but could not be remembered: no password keyring is available.</translation>
    </message>
</context>
<context>
    <name>ArchiveExporter</name>
    <message>
        <source>chat</source>
        <translation>chat</translation>
    </message>
    <message>
        <source>Text files (*.txt)</source>
        <translation>Text files (*.txt)</translation>
    </message>
    <message>
        <source>Web pages (*.html *.htm)</source>
        <translation>Web pages (*.html *.htm)</translation>
    </message>
    <message>
        <source>Export the chat as text</source>
        <translation>Export the chat as text</translation>
    </message>
    <message>
        <source>Export the chat as HTML</source>
        <translation>Export the chat as HTML</translation>
    </message>
    <message>
        <source>archives</source>
        <translation>archives</translation>
    </message>
    <message>
        <source>Export the results as CSV</source>
        <translation>Export the results as CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
</context>
<context>
    <name>ArchiveFilters</name>
    <message>
        <source>&amp;From</source>
        <translation>&amp;From</translation>
    </message>
    <message>
        <source>T&amp;o</source>
        <translation>T&amp;o</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Chats with any of the ticked tags</source>
        <translation>Chats with any of the ticked tags</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>Any rating</source>
        <translation>Any rating</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>Rated good</translation>
    </message>
    <message>
        <source>Rated bad</source>
        <translation>Rated bad</translation>
    </message>
    <message>
        <source>Not rated</source>
        <translation>Not rated</translation>
    </message>
    <message>
        <source>Had a video &amp;call</source>
        <translation>Had a video &amp;call</translation>
    </message>
    <message>
        <source>T&amp;ransferred</source>
        <translation>T&amp;ransferred</translation>
    </message>
    <message>
        <source>Visitor name or e-mail</source>
        <translation>Visitor name or e-mail</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <source>V&amp;isitor:</source>
        <translation>V&amp;isitor:</translation>
    </message>
    <message>
        <source>Any agent</source>
        <translation>Any agent</translation>
    </message>
    <message>
        <source>Any group</source>
        <translation>Any group</translation>
    </message>
    <message>
        <source>Any site</source>
        <translation>Any site</translation>
    </message>
    <message>
        <source>No tags yet</source>
        <translation>No tags yet</translation>
    </message>
    <message>
        <source>Tags (%1)</source>
        <translation>Tags (%1)</translation>
    </message>
    <message>
        <source>Any tag</source>
        <translation>Any tag</translation>
    </message>
</context>
<context>
    <name>ArchiveHitDelegate</name>
    <message>
        <source>Rated good</source>
        <translation>Rated good</translation>
    </message>
    <message>
        <source>Rated bad</source>
        <translation>Rated bad</translation>
    </message>
    <message>
        <source>Video call</source>
        <translation>Video call</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>Transferred</translation>
    </message>
    <message>
        <source>In a file name</source>
        <translation>In a file name</translation>
    </message>
    <message>
        <source>In an internal note</source>
        <translation>In an internal note</translation>
    </message>
    <message>
        <source>In the visitor&apos;s details</source>
        <translation>In the visitor&apos;s details</translation>
    </message>
</context>
<context>
    <name>ArchiveModel</name>
    <message>
        <source>No agent</source>
        <translation>No agent</translation>
    </message>
</context>
<context>
    <name>ArchiveTranscriptPane</name>
    <message>
        <source>Tag this chat (%1).</source>
        <translation>Tag this chat (%1).</translation>
    </message>
    <message>
        <source>Export as te&amp;xt…</source>
        <translation>Export as te&amp;xt…</translation>
    </message>
    <message>
        <source>Save this chat&apos;s transcript as a text file</source>
        <translation>Save this chat&apos;s transcript as a text file</translation>
    </message>
    <message>
        <source>Export as &amp;HTML…</source>
        <translation>Export as &amp;HTML…</translation>
    </message>
    <message>
        <source>Save this chat&apos;s transcript as a web page</source>
        <translation>Save this chat&apos;s transcript as a web page</translation>
    </message>
    <message>
        <source>Select a chat in the list to read it here.</source>
        <translation>Select a chat in the list to read it here.</translation>
    </message>
    <message>
        <source>%1 with %2</source>
        <translation>%1 with %2</translation>
    </message>
    <message>
        <source>Closed %1</source>
        <translation>Closed %1</translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation>%1 messages</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>Rated good</translation>
    </message>
    <message>
        <source>Rated bad</source>
        <translation>Rated bad</translation>
    </message>
    <message>
        <source>Video call</source>
        <translation>Video call</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>Transferred</translation>
    </message>
    <message>
        <source>Loading the chat…</source>
        <translation>Loading the chat…</translation>
    </message>
    <message>
        <source>This chat could not be loaded: %1</source>
        <translation>This chat could not be loaded: %1</translation>
    </message>
</context>
<context>
    <name>ArchivesView</name>
    <message>
        <source>Search messages, notes and visitors (Enter)</source>
        <translation>Search messages, notes and visitors (Enter)</translation>
    </message>
    <message>
        <source>Search the archives</source>
        <translation>Search the archives</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Search</translation>
    </message>
    <message>
        <source>Searching</source>
        <translation>Searching</translation>
    </message>
    <message>
        <source>Chats found</source>
        <translation>Chats found</translation>
    </message>
    <message>
        <source>&amp;Export results as CSV…</source>
        <translation>&amp;Export results as CSV…</translation>
    </message>
    <message>
        <source>Save every chat this search finds as a CSV file</source>
        <translation>Save every chat this search finds as a CSV file</translation>
    </message>
    <message>
        <source>&amp;Load more</source>
        <translation>&amp;Load more</translation>
    </message>
    <message>
        <source>Show older chats</source>
        <translation>Show older chats</translation>
    </message>
    <message>
        <source>Filters (%1)</source>
        <translation>Filters (%1)</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Filters</translation>
    </message>
    <message>
        <source>Show or hide the filters</source>
        <translation>Show or hide the filters</translation>
    </message>
    <message>
        <source>The archives could not be searched: %1</source>
        <translation>The archives could not be searched: %1</translation>
    </message>
    <message>
        <source>No chats found.</source>
        <translation>No chats found.</translation>
    </message>
    <message>
        <source>Try other words or fewer filters.</source>
        <translation>Try other words or fewer filters.</translation>
    </message>
    <message>
        <source>Try other words.</source>
        <translation>Try other words.</translation>
    </message>
    <message>
        <source>No chat has been closed yet.</source>
        <translation>No chat has been closed yet.</translation>
    </message>
    <message>
        <source>Loading the latest closed chats…</source>
        <translation>Loading the latest closed chats…</translation>
    </message>
    <message>
        <source>Chats containing “%1”: %2</source>
        <translation>Chats containing “%1”: %2</translation>
    </message>
    <message>
        <source>Closed chats matching the filters: %1</source>
        <translation>Closed chats matching the filters: %1</translation>
    </message>
    <message>
        <source>The latest closed chats: %1</source>
        <translation>The latest closed chats: %1</translation>
    </message>
    <message>
        <source>%1 or more</source>
        <translation>%1 or more</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exporting…</translation>
    </message>
    <message>
        <source>The agents, groups and sites to filter by could not be loaded: %1</source>
        <translation>The agents, groups and sites to filter by could not be loaded: %1</translation>
    </message>
</context>
<context>
    <name>AttachmentKinds</name>
    <message>
        <source>%1 bytes</source>
        <translation>%1 bytes</translation>
    </message>
</context>
<context>
    <name>AttachmentPaint</name>
    <message>
        <source>Image unavailable</source>
        <translation>Image unavailable</translation>
    </message>
    <message>
        <source>Loading image…</source>
        <translation>Loading image…</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <source>The file is too large.</source>
        <translation>The file is too large.</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>The file is empty.</translation>
    </message>
    <message>
        <source>Files of this kind cannot be sent in chats.</source>
        <translation>Files of this kind cannot be sent in chats.</translation>
    </message>
    <message>
        <source>The file&apos;s content does not match its name.</source>
        <translation>The file&apos;s content does not match its name.</translation>
    </message>
    <message>
        <source>The file is damaged and cannot be read.</source>
        <translation>The file is damaged and cannot be read.</translation>
    </message>
    <message>
        <source>The file is too complex to be checked.</source>
        <translation>The file is too complex to be checked.</translation>
    </message>
    <message>
        <source>Sending files is turned off by your administrator.</source>
        <translation>Sending files is turned off by your administrator.</translation>
    </message>
    <message>
        <source>Too many files at once. Please wait a moment and retry.</source>
        <translation>Too many files at once. Please wait a moment and retry.</translation>
    </message>
    <message>
        <source>The file store is unavailable. Please retry later.</source>
        <translation>The file store is unavailable. Please retry later.</translation>
    </message>
    <message>
        <source>The upload was interrupted.</source>
        <translation>The upload was interrupted.</translation>
    </message>
    <message>
        <source>The chat is closed.</source>
        <translation>The chat is closed.</translation>
    </message>
    <message>
        <source>You no longer hold this chat.</source>
        <translation>You no longer hold this chat.</translation>
    </message>
    <message>
        <source>The chat or the file no longer exists.</source>
        <translation>The chat or the file no longer exists.</translation>
    </message>
    <message>
        <source>The file could not be sent.</source>
        <translation>The file could not be sent.</translation>
    </message>
    <message>
        <source>The file is too large: %1. Files up to %2 can be sent.</source>
        <translation>The file is too large: %1. Files up to %2 can be sent.</translation>
    </message>
    <message>
        <source>Files of this kind cannot be sent in chats. Allowed: %1</source>
        <translation>Files of this kind cannot be sent in chats. Allowed: %1</translation>
    </message>
    <message>
        <source>The server could not be reached. Please retry.</source>
        <translation>The server could not be reached. Please retry.</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <source>Agent created</source>
        <translation>Agent created</translation>
    </message>
    <message>
        <source>Agent changed</source>
        <translation>Agent changed</translation>
    </message>
    <message>
        <source>Agent&apos;s status set</source>
        <translation>Agent&apos;s status set</translation>
    </message>
    <message>
        <source>Password reset</source>
        <translation>Password reset</translation>
    </message>
    <message>
        <source>Own password changed</source>
        <translation>Own password changed</translation>
    </message>
    <message>
        <source>Chat limit set</source>
        <translation>Chat limit set</translation>
    </message>
    <message>
        <source>Group created</source>
        <translation>Group created</translation>
    </message>
    <message>
        <source>Group changed</source>
        <translation>Group changed</translation>
    </message>
    <message>
        <source>Group deleted</source>
        <translation>Group deleted</translation>
    </message>
    <message>
        <source>Site created</source>
        <translation>Site created</translation>
    </message>
    <message>
        <source>Site changed</source>
        <translation>Site changed</translation>
    </message>
    <message>
        <source>Routing settings changed</source>
        <translation>Routing settings changed</translation>
    </message>
    <message>
        <source>Visitor tracking settings changed</source>
        <translation>Visitor tracking settings changed</translation>
    </message>
    <message>
        <source>Business hours changed</source>
        <translation>Business hours changed</translation>
    </message>
    <message>
        <source>App versions changed</source>
        <translation>App versions changed</translation>
    </message>
    <message>
        <source>Greeting rule created</source>
        <translation>Greeting rule created</translation>
    </message>
    <message>
        <source>Greeting rule changed</source>
        <translation>Greeting rule changed</translation>
    </message>
    <message>
        <source>Greeting rule deleted</source>
        <translation>Greeting rule deleted</translation>
    </message>
    <message>
        <source>Team reply created</source>
        <translation>Team reply created</translation>
    </message>
    <message>
        <source>Team reply changed</source>
        <translation>Team reply changed</translation>
    </message>
    <message>
        <source>Team reply deleted</source>
        <translation>Team reply deleted</translation>
    </message>
    <message>
        <source>Greeting rule: %1</source>
        <translation>Greeting rule: %1</translation>
    </message>
    <message>
        <source>Team reply: %1</source>
        <translation>Team reply: %1</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>yes</translation>
    </message>
    <message>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <source>reordered</source>
        <translation>reordered</translation>
    </message>
    <message>
        <source>Before:</source>
        <translation>Before:</translation>
    </message>
    <message>
        <source>After:</source>
        <translation>After:</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Who</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Change</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>&amp;Reload</source>
        <translation>&amp;Reload</translation>
    </message>
    <message>
        <source>&amp;Older entries</source>
        <translation>&amp;Older entries</translation>
    </message>
    <message>
        <source>Select an entry to see everything it changed.</source>
        <translation>Select an entry to see everything it changed.</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Audit log</translation>
    </message>
    <message>
        <source>No changes have been recorded yet.</source>
        <translation>No changes have been recorded yet.</translation>
    </message>
    <message>
        <source>These are all the entries.</source>
        <translation>These are all the entries.</translation>
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
    <name>BusinessHoursPage</name>
    <message>
        <source>Team &amp;time zone</source>
        <translation>Team &amp;time zone</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>Monday</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>Friday</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <source>Open on</source>
        <translation>Open on</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>A day that is not ticked is closed. Times are in the team&apos;s time zone above, which reports also use for days, hours and weekdays.</source>
        <translation>A day that is not ticked is closed. Times are in the team&apos;s time zone above, which reports also use for days, hours and weekdays.</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>Business hours</source>
        <translation>Business hours</translation>
    </message>
    <message>
        <source>“%1” is not a known time zone. Choose one from the list.</source>
        <translation>“%1” is not a known time zone. Choose one from the list.</translation>
    </message>
    <message>
        <source>%1: the opening time must be before the closing time.</source>
        <translation>%1: the opening time must be before the closing time.</translation>
    </message>
    <message>
        <source>Business hours saved.</source>
        <translation>Business hours saved.</translation>
    </message>
</context>
<context>
    <name>CallEngine</name>
    <message>
        <source>Video calls need the Qt WebEngine component (PySide6-Addons), which is not installed or cannot be loaded. Ask your administrator to install it.</source>
        <translation>Video calls need the Qt WebEngine component (PySide6-Addons), which is not installed or cannot be loaded. Ask your administrator to install it.</translation>
    </message>
</context>
<context>
    <name>CallPane</name>
    <message>
        <source>Video call</source>
        <translation>Video call</translation>
    </message>
</context>
<context>
    <name>CallText</name>
    <message>
        <source>Calling the visitor…</source>
        <translation>Calling the visitor…</translation>
    </message>
    <message>
        <source>Ringing…</source>
        <translation>Ringing…</translation>
    </message>
    <message>
        <source>The visitor answered. Connecting…</source>
        <translation>The visitor answered. Connecting…</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Connection lost. Reconnecting…</source>
        <translation>Connection lost. Reconnecting…</translation>
    </message>
    <message>
        <source>Call ended</source>
        <translation>Call ended</translation>
    </message>
    <message>
        <source>The visitor declined the call.</source>
        <translation>The visitor declined the call.</translation>
    </message>
    <message>
        <source>The visitor did not answer.</source>
        <translation>The visitor did not answer.</translation>
    </message>
    <message>
        <source>You cancelled the call.</source>
        <translation>You cancelled the call.</translation>
    </message>
    <message>
        <source>Call ended: the visitor reloaded or left the page.</source>
        <translation>Call ended: the visitor reloaded or left the page.</translation>
    </message>
    <message>
        <source>Call ended: the connection was lost and did not come back.</source>
        <translation>Call ended: the connection was lost and did not come back.</translation>
    </message>
    <message>
        <source>Call failed: audio and video could not get through the network. A TURN server may be needed.</source>
        <translation>Call failed: audio and video could not get through the network. A TURN server may be needed.</translation>
    </message>
    <message>
        <source>Call ended because the chat was closed or transferred.</source>
        <translation>Call ended because the chat was closed or transferred.</translation>
    </message>
    <message>
        <source>The visitor hung up.</source>
        <translation>The visitor hung up.</translation>
    </message>
    <message>
        <source>You hung up.</source>
        <translation>You hung up.</translation>
    </message>
    <message>
        <source>Call ended.</source>
        <translation>Call ended.</translation>
    </message>
    <message>
        <source>Quality: good</source>
        <translation>Quality: good</translation>
    </message>
    <message>
        <source>Quality: fair</source>
        <translation>Quality: fair</translation>
    </message>
    <message>
        <source>Quality: poor</source>
        <translation>Quality: poor</translation>
    </message>
    <message>
        <source>No camera found: audio only. The visitor hears you but does not see you.</source>
        <translation>No camera found: audio only. The visitor hears you but does not see you.</translation>
    </message>
    <message>
        <source>No microphone found: video only. The visitor sees you but does not hear you.</source>
        <translation>No microphone found: video only. The visitor sees you but does not hear you.</translation>
    </message>
    <message>
        <source>No camera or microphone found: you can only see and hear the visitor.</source>
        <translation>No camera or microphone found: you can only see and hear the visitor.</translation>
    </message>
    <message>
        <source>The visitor turned off their microphone and camera.</source>
        <translation>The visitor turned off their microphone and camera.</translation>
    </message>
    <message>
        <source>The visitor&apos;s microphone is off.</source>
        <translation>The visitor&apos;s microphone is off.</translation>
    </message>
    <message>
        <source>The visitor&apos;s camera is off.</source>
        <translation>The visitor&apos;s camera is off.</translation>
    </message>
    <message>
        <source>The visitor is not connected right now, so they cannot be called.</source>
        <translation>The visitor is not connected right now, so they cannot be called.</translation>
    </message>
    <message>
        <source>A call with this visitor is already running.</source>
        <translation>A call with this visitor is already running.</translation>
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
        <source>New ticket</source>
        <translation>New ticket</translation>
    </message>
    <message>
        <source>The visitor wrote again</source>
        <translation>The visitor wrote again</translation>
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
    <name>ChatHeader</name>
    <message>
        <source>More</source>
        <translation>More</translation>
    </message>
    <message>
        <source>The chat&apos;s actions that do not fit in the header.</source>
        <translation>The chat&apos;s actions that do not fit in the header.</translation>
    </message>
    <message>
        <source>More actions for this chat</source>
        <translation>More actions for this chat</translation>
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
        <source>Tag this chat (%1).</source>
        <translation>Tag this chat (%1).</translation>
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
        <source>Video call</source>
        <translation>Video call</translation>
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
        <source>Only the operator holding this chat can call the visitor.</source>
        <translation>Only the operator holding this chat can call the visitor.</translation>
    </message>
    <message>
        <source>The visitor has left the website, so they cannot be called.</source>
        <translation>The visitor has left the website, so they cannot be called.</translation>
    </message>
    <message>
        <source>A video call with this visitor is running.</source>
        <translation>A video call with this visitor is running.</translation>
    </message>
    <message>
        <source>You are already in a video call. Hang up first.</source>
        <translation>You are already in a video call. Hang up first.</translation>
    </message>
    <message>
        <source>Call the visitor with video. They are asked first (%1).</source>
        <translation>Call the visitor with video. They are asked first (%1).</translation>
    </message>
    <message>
        <source>Ta&amp;ke this chat</source>
        <translation>Ta&amp;ke this chat</translation>
    </message>
    <message>
        <source>&amp;Close this chat</source>
        <translation>&amp;Close this chat</translation>
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
        <source>&amp;Video call with the visitor</source>
        <translation>&amp;Video call with the visitor</translation>
    </message>
    <message>
        <source>T&amp;ag this chat…</source>
        <translation>T&amp;ag this chat…</translation>
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
    <name>ChatSelection</name>
    <message>
        <source>No unread messages.</source>
        <translation>No unread messages.</translation>
    </message>
</context>
<context>
    <name>ChatTagsBar</name>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Tags of this chat</source>
        <translation>Tags of this chat</translation>
    </message>
    <message>
        <source>Tags (%1)</source>
        <translation>Tags (%1)</translation>
    </message>
    <message>
        <source>No tags yet. An administrator defines them.</source>
        <translation>No tags yet. An administrator defines them.</translation>
    </message>
    <message>
        <source>The tags could not be changed: %1</source>
        <translation>The tags could not be changed: %1</translation>
    </message>
    <message>
        <source>The tags could not be loaded: %1</source>
        <translation>The tags could not be loaded: %1</translation>
    </message>
</context>
<context>
    <name>ChatTicketDialog</name>
    <message>
        <source>Create a ticket from this chat</source>
        <translation>Create a ticket from this chat</translation>
    </message>
    <message>
        <source>&amp;Create ticket</source>
        <translation>&amp;Create ticket</translation>
    </message>
    <message>
        <source>The e-mail address the chat knows</source>
        <translation>The e-mail address the chat knows</translation>
    </message>
    <message>
        <source>S&amp;ubject:</source>
        <translation>S&amp;ubject:</translation>
    </message>
    <message>
        <source>Visitor&apos;s &amp;e-mail:</source>
        <translation>Visitor&apos;s &amp;e-mail:</translation>
    </message>
    <message>
        <source>Enter the visitor&apos;s e-mail address, or leave it empty.</source>
        <translation>Enter the visitor&apos;s e-mail address, or leave it empty.</translation>
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
    <name>ComposerFiles</name>
    <message>
        <source>&amp;Attach a file…</source>
        <translation>&amp;Attach a file…</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Attach</translation>
    </message>
    <message>
        <source>Send a file or an image (%1). You can also drop files here or paste a screenshot.</source>
        <translation>Send a file or an image (%1). You can also drop files here or paste a screenshot.</translation>
    </message>
    <message>
        <source>Drop the files here to send them to the visitor</source>
        <translation>Drop the files here to send them to the visitor</translation>
    </message>
    <message>
        <source>Send a file</source>
        <translation>Send a file</translation>
    </message>
    <message>
        <source>Files that can be sent (%1);;All files (*)</source>
        <translation>Files that can be sent (%1);;All files (*)</translation>
    </message>
    <message>
        <source>Files are sent to the visitor and cannot be internal notes. Leave note mode first.</source>
        <translation>Files are sent to the visitor and cannot be internal notes. Leave note mode first.</translation>
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
    <name>EmailPage</name>
    <message>
        <source>None (not encrypted)</source>
        <translation>None (not encrypted)</translation>
    </message>
    <message>
        <source>Remove the stored password</source>
        <translation>Remove the stored password</translation>
    </message>
    <message>
        <source>Leave empty to keep it</source>
        <translation>Leave empty to keep it</translation>
    </message>
    <message>
        <source>A password is stored.</source>
        <translation>A password is stored.</translation>
    </message>
    <message>
        <source>No password stored.</source>
        <translation>No password stored.</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>Security</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>&amp;Send e-mail (ticket replies, transcripts, daily summaries)</source>
        <translation>&amp;Send e-mail (ticket replies, transcripts, daily summaries)</translation>
    </message>
    <message>
        <source>Outgoing mail (SMTP relay)</source>
        <translation>Outgoing mail (SMTP relay)</translation>
    </message>
    <message>
        <source>The support mailbox below (empty: the sender)</source>
        <translation>The support mailbox below (empty: the sender)</translation>
    </message>
    <message>
        <source>Default &amp;sender</source>
        <translation>Default &amp;sender</translation>
    </message>
    <message>
        <source>&amp;Reply-To</source>
        <translation>&amp;Reply-To</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>Sender address</translation>
    </message>
    <message>
        <source>Per site</source>
        <translation>Per site</translation>
    </message>
    <message>
        <source>&amp;Read visitors&apos; replies from the support mailbox</source>
        <translation>&amp;Read visitors&apos; replies from the support mailbox</translation>
    </message>
    <message>
        <source>Incoming mail (IMAP support mailbox)</source>
        <translation>Incoming mail (IMAP support mailbox)</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Folder</translation>
    </message>
    <message>
        <source>Check every</source>
        <translation>Check every</translation>
    </message>
    <message>
        <source>Daily summary for supervisors</source>
        <translation>Daily summary for supervisors</translation>
    </message>
    <message>
        <source>Send at</source>
        <translation>Send at</translation>
    </message>
    <message>
        <source>:00 (team&apos;s time zone)</source>
        <translation>:00 (team&apos;s time zone)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>Mail waiting or failed</source>
        <translation>Mail waiting or failed</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Last error</translation>
    </message>
    <message>
        <source>Re&amp;try selected</source>
        <translation>Re&amp;try selected</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>“%1” is not an e-mail address.</source>
        <translation>“%1” is not an e-mail address.</translation>
    </message>
    <message>
        <source>Enter the relay&apos;s host name.</source>
        <translation>Enter the relay&apos;s host name.</translation>
    </message>
    <message>
        <source>Enter the mailbox&apos;s host name.</source>
        <translation>Enter the mailbox&apos;s host name.</translation>
    </message>
    <message>
        <source>E-mail settings saved.</source>
        <translation>E-mail settings saved.</translation>
    </message>
    <message>
        <source>E-mail queued again: %1</source>
        <translation>E-mail queued again: %1</translation>
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
        <source>The proxy server %1 refused the user name or password. Check the proxy in Settings &gt; Network or ask your administrator.</source>
        <translation>The proxy server %1 refused the user name or password. Check the proxy in Settings &gt; Network or ask your administrator.</translation>
    </message>
    <message>
        <source>Cannot connect through the proxy server %1. Check the proxy in Settings &gt; Network or ask your administrator.</source>
        <translation>Cannot connect through the proxy server %1. Check the proxy in Settings &gt; Network or ask your administrator.</translation>
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
        <source>This version of the app is too old for this server: version %1 or later is required.</source>
        <translation>This version of the app is too old for this server: version %1 or later is required.</translation>
    </message>
    <message>
        <source>Download it from %1</source>
        <translation>Download it from %1</translation>
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
        <source>The server&apos;s certificate is not trusted: %1, issued by %2. Ask your administrator for the certificate of the authority that issued it and set it in Settings &gt; Network (Extra certificates).</source>
        <translation>The server&apos;s certificate is not trusted: %1, issued by %2. Ask your administrator for the certificate of the authority that issued it and set it in Settings &gt; Network (Extra certificates).</translation>
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
        <source>This visitor is marked as spam and cannot chat.</source>
        <translation>This visitor is marked as spam and cannot chat.</translation>
    </message>
    <message>
        <source>Tag this chat before closing it.</source>
        <translation>Tag this chat before closing it.</translation>
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
    <name>FileExporter</name>
    <message>
        <source>Exported to %1</source>
        <translation>Exported to %1</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>The export failed: %1</translation>
    </message>
</context>
<context>
    <name>FilesPage</name>
    <message>
        <source>Visitors and agents may send &amp;files in chats</source>
        <translation>Visitors and agents may send &amp;files in chats</translation>
    </message>
    <message>
        <source>Images (PNG, JPEG, GIF, WebP)</source>
        <translation>Images (PNG, JPEG, GIF, WebP)</translation>
    </message>
    <message>
        <source>PDF documents</source>
        <translation>PDF documents</translation>
    </message>
    <message>
        <source>Text files (plain text, CSV)</source>
        <translation>Text files (plain text, CSV)</translation>
    </message>
    <message>
        <source>Office documents (Word, Excel, PowerPoint, OpenDocument)</source>
        <translation>Office documents (Word, Excel, PowerPoint, OpenDocument)</translation>
    </message>
    <message>
        <source>&amp;Largest file</source>
        <translation>&amp;Largest file</translation>
    </message>
    <message>
        <source>Kinds allowed</source>
        <translation>Kinds allowed</translation>
    </message>
    <message>
        <source>The file&apos;s kind is found from its content, not its name. Images are re-encoded without their metadata (such as a photo&apos;s location). Office documents with macros are refused.</source>
        <translation>The file&apos;s kind is found from its content, not its name. Images are re-encoded without their metadata (such as a photo&apos;s location). Office documents with macros are refused.</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>&amp;Revert</source>
        <translation>&amp;Revert</translation>
    </message>
    <message>
        <source>Show the saved settings again</source>
        <translation>Show the saved settings again</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Files</translation>
    </message>
    <message>
        <source>Tick at least one kind of file, or do not allow files.</source>
        <translation>Tick at least one kind of file, or do not allow files.</translation>
    </message>
    <message>
        <source>File settings saved.</source>
        <translation>File settings saved.</translation>
    </message>
</context>
<context>
    <name>GreetingRulesModel</name>
    <message>
        <source>All sites</source>
        <translation>All sites</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Enabled</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Shown</source>
        <translation>Shown</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <source>Acceptance</source>
        <translation>Acceptance</translation>
    </message>
    <message>
        <source>Accepted greetings as a share of those shown</source>
        <translation>Accepted greetings as a share of those shown</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>No</source>
        <translation>No</translation>
    </message>
</context>
<context>
    <name>GreetingRulesPage</name>
    <message>
        <source>&amp;New rule</source>
        <translation>&amp;New rule</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Delete</translation>
    </message>
    <message>
        <source>&amp;Save rule</source>
        <translation>&amp;Save rule</translation>
    </message>
    <message>
        <source>&amp;Enabled</source>
        <translation>&amp;Enabled</translation>
    </message>
    <message>
        <source>Empty: shown on behalf of the team</source>
        <translation>Empty: shown on behalf of the team</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>All sites</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>Si&amp;te</source>
        <translation>Si&amp;te</translation>
    </message>
    <message>
        <source>Se&amp;nder name</source>
        <translation>Se&amp;nder name</translation>
    </message>
    <message>
        <source>Greeting &amp;text</source>
        <translation>Greeting &amp;text</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>e.g. */cart*</source>
        <translation>e.g. */cart*</translation>
    </message>
    <message>
        <source>e.g. google</source>
        <translation>e.g. google</translation>
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
        <source>Returning visitors</source>
        <translation>Returning visitors</translation>
    </message>
    <message>
        <source>First-time visitors</source>
        <translation>First-time visitors</translation>
    </message>
    <message>
        <source>Time on the site at least</source>
        <translation>Time on the site at least</translation>
    </message>
    <message>
        <source>Time on the page at least</source>
        <translation>Time on the page at least</translation>
    </message>
    <message>
        <source>Page address matches</source>
        <translation>Page address matches</translation>
    </message>
    <message>
        <source>Pages viewed at least</source>
        <translation>Pages viewed at least</translation>
    </message>
    <message>
        <source>Referrer contains</source>
        <translation>Referrer contains</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <source>Cart value at least</source>
        <translation>Cart value at least</translation>
    </message>
    <message>
        <source>Only during business hours</source>
        <translation>Only during business hours</translation>
    </message>
    <message>
        <source>Conditions (all ticked ones must hold)</source>
        <translation>Conditions (all ticked ones must hold)</translation>
    </message>
    <message>
        <source>Greetings</source>
        <translation>Greetings</translation>
    </message>
    <message>
        <source>No greeting rules yet. Write one and save it.</source>
        <translation>No greeting rules yet. Write one and save it.</translation>
    </message>
    <message>
        <source>Fill in the ticked conditions, or untick them.</source>
        <translation>Fill in the ticked conditions, or untick them.</translation>
    </message>
    <message>
        <source>Give the rule a name.</source>
        <translation>Give the rule a name.</translation>
    </message>
    <message>
        <source>Write the text of the greeting.</source>
        <translation>Write the text of the greeting.</translation>
    </message>
    <message>
        <source>Some values are not valid. Check the conditions.</source>
        <translation>Some values are not valid. Check the conditions.</translation>
    </message>
    <message>
        <source>Saved the rule “%1”.</source>
        <translation>Saved the rule “%1”.</translation>
    </message>
    <message>
        <source>Delete greeting rule</source>
        <translation>Delete greeting rule</translation>
    </message>
    <message>
        <source>Delete the rule “%1”? Its counts are lost.</source>
        <translation>Delete the rule “%1”? Its counts are lost.</translation>
    </message>
    <message>
        <source>Deleted the rule “%1”.</source>
        <translation>Deleted the rule “%1”.</translation>
    </message>
</context>
<context>
    <name>GroupsPage</name>
    <message>
        <source>&amp;New group</source>
        <translation>&amp;New group</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Delete…</translation>
    </message>
    <message>
        <source>e.g. Sales</source>
        <translation>e.g. Sales</translation>
    </message>
    <message>
        <source>&amp;Save group</source>
        <translation>&amp;Save group</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation>&amp;Members</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Groups</translation>
    </message>
    <message>
        <source>No groups yet. Create one to route chats to a department.</source>
        <translation>No groups yet. Create one to route chats to a department.</translation>
    </message>
    <message>
        <source>(deactivated account)</source>
        <translation>(deactivated account)</translation>
    </message>
    <message>
        <source>&amp;Create group</source>
        <translation>&amp;Create group</translation>
    </message>
    <message>
        <source>Enter the group&apos;s name.</source>
        <translation>Enter the group&apos;s name.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>Delete group</source>
        <translation>Delete group</translation>
    </message>
    <message>
        <source>Delete the group %1? Its members stay agents but are no longer in it, and the group&apos;s supervisors no longer see their chats through it.</source>
        <translation>Delete the group %1? Its members stay agents but are no longer in it, and the group&apos;s supervisors no longer see their chats through it.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>The group %1 was deleted.</source>
        <translation>The group %1 was deleted.</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Zoom out</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Zoom in</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>Fit to window</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Save as…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Image: %1</source>
        <translation>Image: %1</translation>
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
        <source>Set by your administrator: you are asked to sign in each time.</source>
        <translation>Set by your administrator: you are asked to sign in each time.</translation>
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
    <name>MainMenus</name>
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
        <source>Change &amp;password…</source>
        <translation>Change &amp;password…</translation>
    </message>
    <message>
        <source>&amp;Administration…</source>
        <translation>&amp;Administration…</translation>
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
</context>
<context>
    <name>MainWindow</name>
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
</context>
<context>
    <name>MergeNumberDialog</name>
    <message>
        <source>Merge ticket #%1</source>
        <translation>Merge ticket #%1</translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation>&amp;Next</translation>
    </message>
    <message>
        <source>#number</source>
        <translation>#number</translation>
    </message>
    <message>
        <source>Merge &amp;into ticket:</source>
        <translation>Merge &amp;into ticket:</translation>
    </message>
    <message>
        <source>Enter the number of another ticket.</source>
        <translation>Enter the number of another ticket.</translation>
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
    <name>NetworkSettings</name>
    <message>
        <source>Network</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>System settings</source>
        <translation>System settings</translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation>&amp;Proxy:</translation>
    </message>
    <message>
        <source>Empty: the system&apos;s proxy settings. none: no proxy. Or an address such as http://user:password@proxy.example.com:3128</source>
        <translation>Empty: the system&apos;s proxy settings. none: no proxy. Or an address such as http://user:password@proxy.example.com:3128</translation>
    </message>
    <message>
        <source>Only the system&apos;s certificate authorities</source>
        <translation>Only the system&apos;s certificate authorities</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>Extra &amp;certificates:</source>
        <translation>Extra &amp;certificates:</translation>
    </message>
    <message>
        <source>Used from the next sign-in.</source>
        <translation>Used from the next sign-in.</translation>
    </message>
    <message>
        <source>Enter none, or an address that starts with http:// or https:// and names a host.</source>
        <translation>Enter none, or an address that starts with http:// or https:// and names a host.</translation>
    </message>
    <message>
        <source>There is no file %1.</source>
        <translation>There is no file %1.</translation>
    </message>
    <message>
        <source>This file name cannot be used.</source>
        <translation>This file name cannot be used.</translation>
    </message>
    <message>
        <source>Certificate authorities (PEM)</source>
        <translation>Certificate authorities (PEM)</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer)</source>
        <translation>PEM certificates (*.pem *.crt *.cer)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>All files (*)</translation>
    </message>
</context>
<context>
    <name>NewTicketDialog</name>
    <message>
        <source>New ticket</source>
        <translation>New ticket</translation>
    </message>
    <message>
        <source>&amp;Create ticket</source>
        <translation>&amp;Create ticket</translation>
    </message>
    <message>
        <source>&amp;Site:</source>
        <translation>&amp;Site:</translation>
    </message>
    <message>
        <source>Requester &amp;e-mail:</source>
        <translation>Requester &amp;e-mail:</translation>
    </message>
    <message>
        <source>Requester &amp;name:</source>
        <translation>Requester &amp;name:</translation>
    </message>
    <message>
        <source>S&amp;ubject:</source>
        <translation>S&amp;ubject:</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Text:</translation>
    </message>
    <message>
        <source>Choose the site the ticket is about.</source>
        <translation>Choose the site the ticket is about.</translation>
    </message>
    <message>
        <source>Enter the requester&apos;s e-mail address.</source>
        <translation>Enter the requester&apos;s e-mail address.</translation>
    </message>
    <message>
        <source>Enter a subject.</source>
        <translation>Enter a subject.</translation>
    </message>
    <message>
        <source>Enter what the requester asked.</source>
        <translation>Enter what the requester asked.</translation>
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
    <name>PasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>You signed in with a temporary password. Choose your own password now.</source>
        <translation>You signed in with a temporary password. Choose your own password now.</translation>
    </message>
    <message>
        <source>At least %1 characters</source>
        <translation>At least %1 characters</translation>
    </message>
    <message>
        <source>&amp;Temporary password</source>
        <translation>&amp;Temporary password</translation>
    </message>
    <message>
        <source>&amp;Current password</source>
        <translation>&amp;Current password</translation>
    </message>
    <message>
        <source>&amp;New password</source>
        <translation>&amp;New password</translation>
    </message>
    <message>
        <source>&amp;Repeat the new password</source>
        <translation>&amp;Repeat the new password</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>Enter your current password.</translation>
    </message>
    <message>
        <source>The new password is too short: use at least %1 characters.</source>
        <translation>The new password is too short: use at least %1 characters.</translation>
    </message>
    <message>
        <source>The two new passwords are not the same.</source>
        <translation>The two new passwords are not the same.</translation>
    </message>
    <message>
        <source>Choose a new password that differs from the current one.</source>
        <translation>Choose a new password that differs from the current one.</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>The current password is wrong.</translation>
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
        <source>File: %1 (%2)</source>
        <translation>File: %1 (%2)</translation>
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
    <name>PolicyLock</name>
    <message>
        <source>Set by your administrator</source>
        <translation>Set by your administrator</translation>
    </message>
</context>
<context>
    <name>PreviewPane</name>
    <message>
        <source>Visitor&apos;s page</source>
        <translation>Visitor&apos;s page</translation>
    </message>
    <message>
        <source>&amp;Watch the visitor&apos;s page</source>
        <translation>&amp;Watch the visitor&apos;s page</translation>
    </message>
    <message>
        <source>Watch page</source>
        <translation>Watch page</translation>
    </message>
    <message>
        <source>See the visitor&apos;s page live; they may be asked first.</source>
        <translation>See the visitor&apos;s page live; they may be asked first.</translation>
    </message>
</context>
<context>
    <name>PreviewWidget</name>
    <message>
        <source>Stop watching</source>
        <translation>Stop watching</translation>
    </message>
    <message>
        <source>Asking to see the visitor&apos;s page…</source>
        <translation>Asking to see the visitor&apos;s page…</translation>
    </message>
    <message>
        <source>Waiting for the visitor to allow it…</source>
        <translation>Waiting for the visitor to allow it…</translation>
    </message>
    <message>
        <source>Waiting for the visitor&apos;s page…</source>
        <translation>Waiting for the visitor&apos;s page…</translation>
    </message>
    <message>
        <source>Visitor&apos;s window: %1 × %2</source>
        <translation>Visitor&apos;s window: %1 × %2</translation>
    </message>
    <message>
        <source>The visitor is asked whether you may see the page…</source>
        <translation>The visitor is asked whether you may see the page…</translation>
    </message>
    <message>
        <source>Live: you see the visitor&apos;s page (form fields are hidden).</source>
        <translation>Live: you see the visitor&apos;s page (form fields are hidden).</translation>
    </message>
    <message>
        <source>The visitor declined.</source>
        <translation>The visitor declined.</translation>
    </message>
    <message>
        <source>The visitor stopped the preview.</source>
        <translation>The visitor stopped the preview.</translation>
    </message>
    <message>
        <source>The page is too large to preview.</source>
        <translation>The page is too large to preview.</translation>
    </message>
    <message>
        <source>Not watching.</source>
        <translation>Not watching.</translation>
    </message>
</context>
<context>
    <name>RepliesPage</name>
    <message>
        <source>&amp;New</source>
        <translation>&amp;New</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Delete</translation>
    </message>
    <message>
        <source>e.g. thanks</source>
        <translation>e.g. thanks</translation>
    </message>
    <message>
        <source>Team replies can be used by everyone. Placeholders: {visitor.name}, {visitor.email}, {agent.name}, {page.url}; a fallback follows a bar: {visitor.name|customer}.</source>
        <translation>Team replies can be used by everyone. Placeholders: {visitor.name}, {visitor.email}, {agent.name}, {page.url}; a fallback follows a bar: {visitor.name|customer}.</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>S&amp;hortcut (#)</source>
        <translation>S&amp;hortcut (#)</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>&amp;Title</translation>
    </message>
    <message>
        <source>Te&amp;xt</source>
        <translation>Te&amp;xt</translation>
    </message>
    <message>
        <source>Team replies</source>
        <translation>Team replies</translation>
    </message>
    <message>
        <source>No team replies yet. Write one and save it.</source>
        <translation>No team replies yet. Write one and save it.</translation>
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
        <source>Another canned reply already uses this shortcut.</source>
        <translation>Another canned reply already uses this shortcut.</translation>
    </message>
    <message>
        <source>Saved #%1.</source>
        <translation>Saved #%1.</translation>
    </message>
    <message>
        <source>Delete team reply</source>
        <translation>Delete team reply</translation>
    </message>
    <message>
        <source>Delete #%1 for the whole team?</source>
        <translation>Delete #%1 for the whole team?</translation>
    </message>
    <message>
        <source>Deleted #%1.</source>
        <translation>Deleted #%1.</translation>
    </message>
</context>
<context>
    <name>ReportText</name>
    <message>
        <source>%1 of chats</source>
        <translation>%1 of chats</translation>
    </message>
    <message>
        <source>%1 good, %2 bad</source>
        <translation>%1 good, %2 bad</translation>
    </message>
    <message>
        <source>90% within %1</source>
        <translation>90% within %1</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>Monday</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>Friday</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>Mon</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>Tue</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>Wed</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>Thu</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>Fri</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>Sat</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>Sun</translation>
    </message>
    <message>
        <source>By agent (the chat&apos;s last agent)</source>
        <translation>By agent (the chat&apos;s last agent)</translation>
    </message>
    <message>
        <source>By group</source>
        <translation>By group</translation>
    </message>
    <message>
        <source>By site</source>
        <translation>By site</translation>
    </message>
    <message>
        <source>By tag (a chat counts under each of its tags)</source>
        <translation>By tag (a chat counts under each of its tags)</translation>
    </message>
    <message>
        <source>Not taken</source>
        <translation>Not taken</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>No group</translation>
    </message>
    <message>
        <source>No site</source>
        <translation>No site</translation>
    </message>
    <message>
        <source>No tag</source>
        <translation>No tag</translation>
    </message>
    <message>
        <source>(deleted)</source>
        <translation>(deleted)</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Chats</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>Missed</translation>
    </message>
    <message>
        <source>First response, median</source>
        <translation>First response, median</translation>
    </message>
    <message>
        <source>First response, 90%</source>
        <translation>First response, 90%</translation>
    </message>
    <message>
        <source>Duration, median</source>
        <translation>Duration, median</translation>
    </message>
    <message>
        <source>Duration, 90%</source>
        <translation>Duration, 90%</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Good</translation>
    </message>
    <message>
        <source>Bad</source>
        <translation>Bad</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>Rated good</translation>
    </message>
    <message>
        <source>Video calls</source>
        <translation>Video calls</translation>
    </message>
    <message>
        <source>Greeting</source>
        <translation>Greeting</translation>
    </message>
    <message>
        <source>Shown</source>
        <translation>Shown</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <source>Acceptance rate</source>
        <translation>Acceptance rate</translation>
    </message>
    <message>
        <source>Manual invitations</source>
        <translation>Manual invitations</translation>
    </message>
    <message>
        <source>(deleted rule)</source>
        <translation>(deleted rule)</translation>
    </message>
    <message>
        <source>Rated at</source>
        <translation>Rated at</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Comment</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <source>No breakdown</source>
        <translation>No breakdown</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Site</translation>
    </message>
    <message>
        <source>Load the report of these days</source>
        <translation>Load the report of these days</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Export CSV…</translation>
    </message>
    <message>
        <source>Save the tables of this report as a CSV file</source>
        <translation>Save the tables of this report as a CSV file</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>&amp;From</translation>
    </message>
    <message>
        <source>Sho&amp;w</source>
        <translation>Sho&amp;w</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>&amp;By</source>
        <translation>&amp;By</translation>
    </message>
    <message>
        <source>Loading the report…</source>
        <translation>Loading the report…</translation>
    </message>
    <message>
        <source>No closed chats in these days.</source>
        <translation>No closed chats in these days.</translation>
    </message>
    <message>
        <source>Chats by hour of day</source>
        <translation>Chats by hour of day</translation>
    </message>
    <message>
        <source>Chats by weekday</source>
        <translation>Chats by weekday</translation>
    </message>
    <message>
        <source>Greetings: shown and accepted</source>
        <translation>Greetings: shown and accepted</translation>
    </message>
    <message>
        <source>Latest rating comments</source>
        <translation>Latest rating comments</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Chats</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>Missed chats</source>
        <translation>Missed chats</translation>
    </message>
    <message>
        <source>First response (median)</source>
        <translation>First response (median)</translation>
    </message>
    <message>
        <source>Chat duration (median)</source>
        <translation>Chat duration (median)</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>Rated good</translation>
    </message>
    <message>
        <source>Video calls</source>
        <translation>Video calls</translation>
    </message>
    <message>
        <source>The first day is after the last day.</source>
        <translation>The first day is after the last day.</translation>
    </message>
    <message>
        <source>A report covers at most %1 days.</source>
        <translation>A report covers at most %1 days.</translation>
    </message>
    <message>
        <source>The report could not be loaded: %1</source>
        <translation>The report could not be loaded: %1</translation>
    </message>
    <message>
        <source>%1 to %2 · days and hours in the team&apos;s time zone, %3</source>
        <translation>%1 to %2 · days and hours in the team&apos;s time zone, %3</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>Hour</translation>
    </message>
    <message>
        <source>Weekday</source>
        <translation>Weekday</translation>
    </message>
    <message>
        <source>Figures</source>
        <translation>Figures</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>Figure</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>Export the report</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>The report was not saved: %1</source>
        <translation>The report was not saved: %1</translation>
    </message>
    <message>
        <source>Report saved to %1</source>
        <translation>Report saved to %1</translation>
    </message>
</context>
<context>
    <name>RoutingPage</name>
    <message>
        <source>&amp;Assign waiting chats to agents automatically</source>
        <translation>&amp;Assign waiting chats to agents automatically</translation>
    </message>
    <message>
        <source> chats</source>
        <translation> chats</translation>
    </message>
    <message>
        <source>For agents without a limit of their own</source>
        <translation>For agents without a limit of their own</translation>
    </message>
    <message>
        <source>&amp;Reassign an unanswered chat after</source>
        <translation>&amp;Reassign an unanswered chat after</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Routing and queue</source>
        <translation>Routing and queue</translation>
    </message>
    <message>
        <source>Default chat &amp;limit per agent</source>
        <translation>Default chat &amp;limit per agent</translation>
    </message>
    <message>
        <source>Waiting time turns &amp;orange after</source>
        <translation>Waiting time turns &amp;orange after</translation>
    </message>
    <message>
        <source>Waiting time turns r&amp;ed after</source>
        <translation>Waiting time turns r&amp;ed after</translation>
    </message>
    <message>
        <source>Re&amp;mind agents of waiting chats every</source>
        <translation>Re&amp;mind agents of waiting chats every</translation>
    </message>
    <message>
        <source>&amp;Close a chat when nobody wrote for</source>
        <translation>&amp;Close a chat when nobody wrote for</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Set an agent &amp;away after idle for</source>
        <translation>Set an agent &amp;away after idle for</translation>
    </message>
    <message>
        <source>Inactivity</source>
        <translation>Inactivity</translation>
    </message>
    <message>
        <source> days</source>
        <translation> days</translation>
    </message>
    <message>
        <source>Visitor history</source>
        <translation>Visitor history</translation>
    </message>
    <message>
        <source>&amp;Keep the pages visitors viewed for</source>
        <translation>&amp;Keep the pages visitors viewed for</translation>
    </message>
    <message>
        <source>&amp;Delete closed chats after</source>
        <translation>&amp;Delete closed chats after</translation>
    </message>
    <message>
        <source>Unticked: closed chats are kept. Ticked: older ones are deleted with their notes and tags.</source>
        <translation>Unticked: closed chats are kept. Ticked: older ones are deleted with their notes and tags.</translation>
    </message>
    <message>
        <source>e.g. 1.2</source>
        <translation>e.g. 1.2</translation>
    </message>
    <message>
        <source>e.g. 1.4.0</source>
        <translation>e.g. 1.4.0</translation>
    </message>
    <message>
        <source>Operator app versions</source>
        <translation>Operator app versions</translation>
    </message>
    <message>
        <source>Older apps may not sign in &amp;below</source>
        <translation>Older apps may not sign in &amp;below</translation>
    </message>
    <message>
        <source>Apps show an update &amp;available below</source>
        <translation>Apps show an update &amp;available below</translation>
    </message>
    <message>
        <source>Installers are &amp;published at</source>
        <translation>Installers are &amp;published at</translation>
    </message>
    <message>
        <source>Unticked timeouts are off.</source>
        <translation>Unticked timeouts are off.</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>Routing and timeouts</source>
        <translation>Routing and timeouts</translation>
    </message>
    <message>
        <source>The download link must start with https:// or http://.</source>
        <translation>The download link must start with https:// or http://.</translation>
    </message>
    <message>
        <source>Write versions as numbers with dots, such as 1.4 or 1.4.2.</source>
        <translation>Write versions as numbers with dots, such as 1.4 or 1.4.2.</translation>
    </message>
    <message>
        <source>The minimum version must not be above the latest version.</source>
        <translation>The minimum version must not be above the latest version.</translation>
    </message>
    <message>
        <source>Red must come later than orange: make the second waiting time longer.</source>
        <translation>Red must come later than orange: make the second waiting time longer.</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>Settings saved.</translation>
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
    <message>
        <source>Team setting</source>
        <translation>Team setting</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Minutes without keyboard or mouse input before you are set to away; 0 uses the team&apos;s setting.</source>
        <translation>Minutes without keyboard or mouse input before you are set to away; 0 uses the team&apos;s setting.</translation>
    </message>
    <message>
        <source>Set me &amp;away after:</source>
        <translation>Set me &amp;away after:</translation>
    </message>
    <message>
        <source>Video calls</source>
        <translation>Video calls</translation>
    </message>
    <message>
        <source>&amp;Camera:</source>
        <translation>&amp;Camera:</translation>
    </message>
    <message>
        <source>&amp;Microphone:</source>
        <translation>&amp;Microphone:</translation>
    </message>
    <message>
        <source>Used from the next call. A device that is missing then falls back to the default.</source>
        <translation>Used from the next call. A device that is missing then falls back to the default.</translation>
    </message>
    <message>
        <source>&amp;Output:</source>
        <translation>&amp;Output:</translation>
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
    <name>SitesPage</name>
    <message>
        <source>&amp;New site</source>
        <translation>&amp;New site</translation>
    </message>
    <message>
        <source>One address a line, like https://www.example.com (scheme, host and port only). The chat widget and page push work only on these.</source>
        <translation>One address a line, like https://www.example.com (scheme, host and port only). The chat widget and page push work only on these.</translation>
    </message>
    <message>
        <source>Tickets left through this site&apos;s offline form go to this group.</source>
        <translation>Tickets left through this site&apos;s offline form go to this group.</translation>
    </message>
    <message>
        <source>&amp;Save site</source>
        <translation>&amp;Save site</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copy</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>&amp;Allowed origins</source>
        <translation>&amp;Allowed origins</translation>
    </message>
    <message>
        <source>&amp;Tickets go to</source>
        <translation>&amp;Tickets go to</translation>
    </message>
    <message>
        <source>Embed code</source>
        <translation>Embed code</translation>
    </message>
    <message>
        <source>Sites</source>
        <translation>Sites</translation>
    </message>
    <message>
        <source>No group (every agent)</source>
        <translation>No group (every agent)</translation>
    </message>
    <message>
        <source>No sites yet. Add the website that embeds the chat widget.</source>
        <translation>No sites yet. Add the website that embeds the chat widget.</translation>
    </message>
    <message>
        <source>Save the site to get its embed code.</source>
        <translation>Save the site to get its embed code.</translation>
    </message>
    <message>
        <source>&amp;Create site</source>
        <translation>&amp;Create site</translation>
    </message>
    <message>
        <source>The embed code is on the clipboard.</source>
        <translation>The embed code is on the clipboard.</translation>
    </message>
    <message>
        <source>Enter the site&apos;s name.</source>
        <translation>Enter the site&apos;s name.</translation>
    </message>
    <message>
        <source>At most %1 origins per site.</source>
        <translation>At most %1 origins per site.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
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
    <name>SpamMarkRow</name>
    <message>
        <source>Mark as spam…</source>
        <translation>Mark as spam…</translation>
    </message>
    <message>
        <source>The visitor will not be able to start a chat or leave an offline message.</source>
        <translation>The visitor will not be able to start a chat or leave an offline message.</translation>
    </message>
    <message>
        <source>Not spam…</source>
        <translation>Not spam…</translation>
    </message>
    <message>
        <source>Take the spam mark back: the visitor can chat again.</source>
        <translation>Take the spam mark back: the visitor can chat again.</translation>
    </message>
    <message>
        <source>Only a supervisor, an admin or the agent who set the mark can take it back.</source>
        <translation>Only a supervisor, an admin or the agent who set the mark can take it back.</translation>
    </message>
    <message>
        <source>Marked as spam by %1 (%2): no new chats or offline messages.</source>
        <translation>Marked as spam by %1 (%2): no new chats or offline messages.</translation>
    </message>
    <message>
        <source>Marked as spam (%1): no new chats or offline messages.</source>
        <translation>Marked as spam (%1): no new chats or offline messages.</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Mark as spam</translation>
    </message>
    <message>
        <source>Mark this visitor as spam? They will not be able to start a new chat or leave an offline message until the mark is taken back. A chat already open goes on. The change is logged.</source>
        <translation>Mark this visitor as spam? They will not be able to start a new chat or leave an offline message until the mark is taken back. A chat already open goes on. The change is logged.</translation>
    </message>
    <message>
        <source>Not spam</source>
        <translation>Not spam</translation>
    </message>
    <message>
        <source>Take the mark back</source>
        <translation>Take the mark back</translation>
    </message>
    <message>
        <source>Take the spam mark back? The visitor will be able to start chats and leave offline messages again. The change is logged.</source>
        <translation>Take the spam mark back? The visitor will be able to start chats and leave offline messages again. The change is logged.</translation>
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
    <name>TagsPage</name>
    <message>
        <source>&amp;New tag</source>
        <translation>&amp;New tag</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Delete…</translation>
    </message>
    <message>
        <source>e.g. Returns</source>
        <translation>e.g. Returns</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>Red</translation>
    </message>
    <message>
        <source>Orange</source>
        <translation>Orange</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>Green</translation>
    </message>
    <message>
        <source>Teal</source>
        <translation>Teal</translation>
    </message>
    <message>
        <source>Blue</source>
        <translation>Blue</translation>
    </message>
    <message>
        <source>Indigo</source>
        <translation>Indigo</translation>
    </message>
    <message>
        <source>Purple</source>
        <translation>Purple</translation>
    </message>
    <message>
        <source>Pink</source>
        <translation>Pink</translation>
    </message>
    <message>
        <source>Grey</source>
        <translation>Grey</translation>
    </message>
    <message>
        <source>&amp;Other colour…</source>
        <translation>&amp;Other colour…</translation>
    </message>
    <message>
        <source>&amp;Save tag</source>
        <translation>&amp;Save tag</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Colour</translation>
    </message>
    <message>
        <source>&amp;Require a tag before a chat is closed</source>
        <translation>&amp;Require a tag before a chat is closed</translation>
    </message>
    <message>
        <source>Agents must put at least one tag on a chat before they can close it.</source>
        <translation>Agents must put at least one tag on a chat before they can close it.</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>No tags yet. Create one, such as Returns or VIP, for agents to put on chats.</source>
        <translation>No tags yet. Create one, such as Returns or VIP, for agents to put on chats.</translation>
    </message>
    <message>
        <source>&amp;Create tag</source>
        <translation>&amp;Create tag</translation>
    </message>
    <message>
        <source>Enter the tag&apos;s name.</source>
        <translation>Enter the tag&apos;s name.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>Delete tag</source>
        <translation>Delete tag</translation>
    </message>
    <message>
        <source>Delete the tag %1? It is taken off every chat that has it, closed chats too.</source>
        <translation>Delete the tag %1? It is taken off every chat that has it, closed chats too.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>The tag %1 was deleted.</source>
        <translation>The tag %1 was deleted.</translation>
    </message>
    <message>
        <source>Agents must now tag a chat before closing it.</source>
        <translation>Agents must now tag a chat before closing it.</translation>
    </message>
    <message>
        <source>Agents may close chats without a tag.</source>
        <translation>Agents may close chats without a tag.</translation>
    </message>
</context>
<context>
    <name>TeamModel</name>
    <message>
        <source>Accepting</source>
        <translation>Accepting</translation>
    </message>
    <message>
        <source>Not accepting</source>
        <translation>Not accepting</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>Away</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>Load</translation>
    </message>
    <message>
        <source>Chats today</source>
        <translation>Chats today</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Answered</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>First response</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Groups</translation>
    </message>
    <message>
        <source>Open chats now / the agent&apos;s chat limit</source>
        <translation>Open chats now / the agent&apos;s chat limit</translation>
    </message>
    <message>
        <source>Chats the agent took or was given since midnight</source>
        <translation>Chats the agent took or was given since midnight</translation>
    </message>
    <message>
        <source>Of those, chats the agent replied to</source>
        <translation>Of those, chats the agent replied to</translation>
    </message>
    <message>
        <source>Average time to the agent&apos;s first reply today</source>
        <translation>Average time to the agent&apos;s first reply today</translation>
    </message>
</context>
<context>
    <name>TeamView</name>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>Load the team again (it also reloads every 10 seconds)</source>
        <translation>Load the team again (it also reloads every 10 seconds)</translation>
    </message>
    <message>
        <source>Set &amp;status</source>
        <translation>Set &amp;status</translation>
    </message>
    <message>
        <source>Change the selected agent&apos;s status</source>
        <translation>Change the selected agent&apos;s status</translation>
    </message>
    <message>
        <source>&amp;Training results…</source>
        <translation>&amp;Training results…</translation>
    </message>
    <message>
        <source>How the trainees of your groups did on scripted visitors</source>
        <translation>How the trainees of your groups did on scripted visitors</translation>
    </message>
    <message>
        <source>Loading the team…</source>
        <translation>Loading the team…</translation>
    </message>
    <message>
        <source>No agents to show: nobody is in your groups yet.</source>
        <translation>No agents to show: nobody is in your groups yet.</translation>
    </message>
    <message>
        <source>&amp;Accepting</source>
        <translation>&amp;Accepting</translation>
    </message>
    <message>
        <source>&amp;Not accepting</source>
        <translation>&amp;Not accepting</translation>
    </message>
    <message>
        <source>A&amp;way</source>
        <translation>A&amp;way</translation>
    </message>
    <message>
        <source>The team could not be loaded: %1</source>
        <translation>The team could not be loaded: %1</translation>
    </message>
    <message>
        <source>%1 agents, %2 online · updated at %3</source>
        <translation>%1 agents, %2 online · updated at %3</translation>
    </message>
    <message>
        <source>%1 is now: %2</source>
        <translation>%1 is now: %2</translation>
    </message>
    <message>
        <source>%1&apos;s status was not changed: they are not in your groups.</source>
        <translation>%1&apos;s status was not changed: they are not in your groups.</translation>
    </message>
    <message>
        <source>%1&apos;s status was not changed: you may not change it.</source>
        <translation>%1&apos;s status was not changed: you may not change it.</translation>
    </message>
    <message>
        <source>%1&apos;s status was not changed: %2</source>
        <translation>%1&apos;s status was not changed: %2</translation>
    </message>
</context>
<context>
    <name>TemporaryPasswordDialog</name>
    <message>
        <source>Temporary password</source>
        <translation>Temporary password</translation>
    </message>
    <message>
        <source>The temporary password of %1 is shown only now. Pass it on securely (in person or by phone, not in the same e-mail as the address). They must choose their own password when they sign in.</source>
        <translation>The temporary password of %1 is shown only now. Pass it on securely (in person or by phone, not in the same e-mail as the address). They must choose their own password when they sign in.</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copy</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copied to the clipboard.</translation>
    </message>
</context>
<context>
    <name>TicketComposer</name>
    <message>
        <source>&amp;Reply (e-mailed)</source>
        <translation>&amp;Reply (e-mailed)</translation>
    </message>
    <message>
        <source>Internal n&amp;ote</source>
        <translation>Internal n&amp;ote</translation>
    </message>
    <message>
        <source>Reply text</source>
        <translation>Reply text</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Send</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Send (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Send and mark &amp;pending</source>
        <translation>Send and mark &amp;pending</translation>
    </message>
    <message>
        <source>Send and mark sol&amp;ved</source>
        <translation>Send and mark sol&amp;ved</translation>
    </message>
    <message>
        <source>An internal note: agents read it, the visitor never does</source>
        <translation>An internal note: agents read it, the visitor never does</translation>
    </message>
    <message>
        <source>Your answer, e-mailed to the requester (Ctrl+Enter sends)</source>
        <translation>Your answer, e-mailed to the requester (Ctrl+Enter sends)</translation>
    </message>
</context>
<context>
    <name>TicketModel</name>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>Solved</source>
        <translation>Solved</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>Spam</translation>
    </message>
    <message>
        <source>Unknown visitor</source>
        <translation>Unknown visitor</translation>
    </message>
    <message>
        <source>%1 (awaiting reply)</source>
        <translation>%1 (awaiting reply)</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <source>Someone</source>
        <translation>Someone</translation>
    </message>
    <message>
        <source>%1 set the state to %2</source>
        <translation>%1 set the state to %2</translation>
    </message>
    <message>
        <source>%1 assigned the ticket to %2</source>
        <translation>%1 assigned the ticket to %2</translation>
    </message>
    <message>
        <source>%1 unassigned the ticket</source>
        <translation>%1 unassigned the ticket</translation>
    </message>
    <message>
        <source>another group</source>
        <translation>another group</translation>
    </message>
    <message>
        <source>%1 moved the ticket to %2</source>
        <translation>%1 moved the ticket to %2</translation>
    </message>
    <message>
        <source>%1 removed the ticket&apos;s group</source>
        <translation>%1 removed the ticket&apos;s group</translation>
    </message>
    <message>
        <source>%1 merged ticket %2</source>
        <translation>%1 merged ticket %2</translation>
    </message>
</context>
<context>
    <name>TicketThreadPane</name>
    <message>
        <source>Assignee</source>
        <translation>Assignee</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Mark the ticket and its visitor as spam</source>
        <translation>Mark the ticket and its visitor as spam</translation>
    </message>
    <message>
        <source>Spa&amp;m</source>
        <translation>Spa&amp;m</translation>
    </message>
    <message>
        <source>Merge &amp;into…</source>
        <translation>Merge &amp;into…</translation>
    </message>
    <message>
        <source>Merge this ticket into another one by its number</source>
        <translation>Merge this ticket into another one by its number</translation>
    </message>
    <message>
        <source>&amp;Assignee:</source>
        <translation>&amp;Assignee:</translation>
    </message>
    <message>
        <source>&amp;Group:</source>
        <translation>&amp;Group:</translation>
    </message>
    <message>
        <source>S&amp;tate:</source>
        <translation>S&amp;tate:</translation>
    </message>
    <message>
        <source>Choose a ticket to read it.</source>
        <translation>Choose a ticket to read it.</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <source>Me</source>
        <translation>Me</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>No group</translation>
    </message>
    <message>
        <source>Nothing in this ticket yet.</source>
        <translation>Nothing in this ticket yet.</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <source>Internal note by %1</source>
        <translation>Internal note by %1</translation>
    </message>
    <message>
        <source>Chat transcript</source>
        <translation>Chat transcript</translation>
    </message>
    <message>
        <source>E-mail failed: %1</source>
        <translation>E-mail failed: %1</translation>
    </message>
    <message>
        <source>unknown reason</source>
        <translation>unknown reason</translation>
    </message>
    <message>
        <source>E-mail sent</source>
        <translation>E-mail sent</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <source>attachment</source>
        <translation>attachment</translation>
    </message>
    <message>
        <source>Attachment: %1 (%2)</source>
        <translation>Attachment: %1 (%2)</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Save as…</translation>
    </message>
    <message>
        <source>Save %1 as</source>
        <translation>Save %1 as</translation>
    </message>
    <message>
        <source>Save the attachment</source>
        <translation>Save the attachment</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>Mark as spam</translation>
    </message>
    <message>
        <source>Ticket #%1 and its visitor will be marked as spam.</source>
        <translation>Ticket #%1 and its visitor will be marked as spam.</translation>
    </message>
    <message>
        <source>Ticket #%1 goes into ticket #%2: its messages are copied there and it is solved.</source>
        <translation>Ticket #%1 goes into ticket #%2: its messages are copied there and it is solved.</translation>
    </message>
    <message>
        <source>Merge tickets</source>
        <translation>Merge tickets</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>Merge</translation>
    </message>
</context>
<context>
    <name>TicketsEntry</name>
    <message>
        <source>Answer offline messages and e-mails (Ctrl+Shift+K)</source>
        <translation>Answer offline messages and e-mails (Ctrl+Shift+K)</translation>
    </message>
    <message>
        <source>Create tic&amp;ket from this chat…</source>
        <translation>Create tic&amp;ket from this chat…</translation>
    </message>
    <message>
        <source>Tic&amp;kets (%1 open)</source>
        <translation>Tic&amp;kets (%1 open)</translation>
    </message>
    <message>
        <source>Tic&amp;kets</source>
        <translation>Tic&amp;kets</translation>
    </message>
    <message>
        <source>Ticket #%1 created.</source>
        <translation>Ticket #%1 created.</translation>
    </message>
    <message>
        <source>Ticket created</source>
        <translation>Ticket created</translation>
    </message>
    <message>
        <source>Ticket #%1 was made from this chat. Open it now?</source>
        <translation>Ticket #%1 was made from this chat. Open it now?</translation>
    </message>
    <message>
        <source>&amp;Open ticket</source>
        <translation>&amp;Open ticket</translation>
    </message>
</context>
<context>
    <name>TicketsView</name>
    <message>
        <source>Ticket states</source>
        <translation>Ticket states</translation>
    </message>
    <message>
        <source>Whose tickets</source>
        <translation>Whose tickets</translation>
    </message>
    <message>
        <source>All tickets</source>
        <translation>All tickets</translation>
    </message>
    <message>
        <source>Assigned to me</source>
        <translation>Assigned to me</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>Every group</source>
        <translation>Every group</translation>
    </message>
    <message>
        <source>Subject, requester or #number</source>
        <translation>Subject, requester or #number</translation>
    </message>
    <message>
        <source>Search tickets</source>
        <translation>Search tickets</translation>
    </message>
    <message>
        <source>&amp;New ticket…</source>
        <translation>&amp;New ticket…</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>Tickets</translation>
    </message>
    <message>
        <source>&amp;Load more</source>
        <translation>&amp;Load more</translation>
    </message>
    <message>
        <source>The tickets could not be loaded: %1</source>
        <translation>The tickets could not be loaded: %1</translation>
    </message>
    <message>
        <source>No tickets.</source>
        <translation>No tickets.</translation>
    </message>
    <message>
        <source>Try other words or fewer filters.</source>
        <translation>Try other words or fewer filters.</translation>
    </message>
    <message>
        <source>Nothing in this state.</source>
        <translation>Nothing in this state.</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Live Chat Operator</source>
        <translation>Live Chat Operator</translation>
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
    <name>TrafficView</name>
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
    <name>TrainingMode</name>
    <message>
        <source>&amp;Training mode</source>
        <translation>&amp;Training mode</translation>
    </message>
    <message>
        <source>Practise on scripted visitors; real visitors are not sent to you</source>
        <translation>Practise on scripted visitors; real visitors are not sent to you</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Training mode: these visitors are scripted, nothing is reported</source>
        <translation>Training mode: these visitors are scripted, nothing is reported</translation>
    </message>
    <message>
        <source>Training mode: scripted visitors only</source>
        <translation>Training mode: scripted visitors only</translation>
    </message>
    <message>
        <source>Training: Japanese</source>
        <translation>Training: Japanese</translation>
    </message>
    <message>
        <source>Training: English</source>
        <translation>Training: English</translation>
    </message>
</context>
<context>
    <name>TrainingResultsDialog</name>
    <message>
        <source>Training results</source>
        <translation>Training results</translation>
    </message>
    <message>
        <source>Trainee</source>
        <translation>Trainee</translation>
    </message>
    <message>
        <source>In training</source>
        <translation>In training</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Chats</translation>
    </message>
    <message>
        <source>Replies</source>
        <translation>Replies</translation>
    </message>
    <message>
        <source>Canned replies</source>
        <translation>Canned replies</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>First response</translation>
    </message>
    <message>
        <source>Ratings (good / bad)</source>
        <translation>Ratings (good / bad)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>Loading the results…</source>
        <translation>Loading the results…</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>yes</translation>
    </message>
    <message>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <source>Nobody in your groups has practised yet.</source>
        <translation>Nobody in your groups has practised yet.</translation>
    </message>
</context>
<context>
    <name>TranscriptFiles</name>
    <message>
        <source>View</source>
        <translation>View</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Save as…</translation>
    </message>
    <message>
        <source>Loading image…</source>
        <translation>Loading image…</translation>
    </message>
    <message>
        <source>Save the file</source>
        <translation>Save the file</translation>
    </message>
    <message>
        <source>This file cannot be opened from here; use “Save as…”.</source>
        <translation>This file cannot be opened from here; use “Save as…”.</translation>
    </message>
    <message>
        <source>Open this file?</source>
        <translation>Open this file?</translation>
    </message>
    <message>
        <source>“%1” may contain macros or scripts that can harm this computer. Open it only if you trust the sender and your security software is up to date.</source>
        <translation>“%1” may contain macros or scripts that can harm this computer. Open it only if you trust the sender and your security software is up to date.</translation>
    </message>
    <message>
        <source>Open anyway</source>
        <translation>Open anyway</translation>
    </message>
    <message>
        <source>No program on this computer opens this kind of file.</source>
        <translation>No program on this computer opens this kind of file.</translation>
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
        <source>Video call started</source>
        <translation>Video call started</translation>
    </message>
    <message>
        <source>Video call declined</source>
        <translation>Video call declined</translation>
    </message>
    <message>
        <source>Missed video call</source>
        <translation>Missed video call</translation>
    </message>
    <message>
        <source>Video call cancelled before it was answered</source>
        <translation>Video call cancelled before it was answered</translation>
    </message>
    <message>
        <source>Video call failed to connect</source>
        <translation>Video call failed to connect</translation>
    </message>
    <message>
        <source>Video call ended before it connected</source>
        <translation>Video call ended before it connected</translation>
    </message>
    <message>
        <source>Video call lost (connection failed) after %1</source>
        <translation>Video call lost (connection failed) after %1</translation>
    </message>
    <message>
        <source>Video call ended after %1: the visitor reloaded the page</source>
        <translation>Video call ended after %1: the visitor reloaded the page</translation>
    </message>
    <message>
        <source>Video call ended after %1: the connection was lost</source>
        <translation>Video call ended after %1: the connection was lost</translation>
    </message>
    <message>
        <source>Video call ended after %1: the chat ended</source>
        <translation>Video call ended after %1: the chat ended</translation>
    </message>
    <message>
        <source>Video call ended by the visitor after %1</source>
        <translation>Video call ended by the visitor after %1</translation>
    </message>
    <message>
        <source>Video call ended by the operator after %1</source>
        <translation>Video call ended by the operator after %1</translation>
    </message>
    <message>
        <source>Video call ended after %1</source>
        <translation>Video call ended after %1</translation>
    </message>
    <message>
        <source>File: %1 (%2)</source>
        <translation>File: %1 (%2)</translation>
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
    <name>UpdateBanner</name>
    <message>
        <source>Update available (version %1)</source>
        <translation>Update available (version %1)</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Download</translation>
    </message>
    <message>
        <source>This version of the app (%1) is too old for this server: version %2 or later is required.</source>
        <translation>This version of the app (%1) is too old for this server: version %2 or later is required.</translation>
    </message>
    <message>
        <source>Install the new version from:</source>
        <translation>Install the new version from:</translation>
    </message>
    <message>
        <source>Ask your administrator for the new version.</source>
        <translation>Ask your administrator for the new version.</translation>
    </message>
    <message>
        <source>You use version %1.</source>
        <translation>You use version %1.</translation>
    </message>
</context>
<context>
    <name>UploadStrip</name>
    <message>
        <source>The file could not be read: %1</source>
        <translation>The file could not be read: %1</translation>
    </message>
    <message>
        <source>Sending %p%</source>
        <translation>Sending %p%</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Stop sending %1</source>
        <translation>Stop sending %1</translation>
    </message>
</context>
<context>
    <name>VideoMiniWindow</name>
    <message>
        <source>Video call</source>
        <translation>Video call</translation>
    </message>
    <message>
        <source>&amp;Restore</source>
        <translation>&amp;Restore</translation>
    </message>
    <message>
        <source>Put the call back beside the chat.</source>
        <translation>Put the call back beside the chat.</translation>
    </message>
</context>
<context>
    <name>VideoWidget</name>
    <message>
        <source>Turn your microphone on or off.</source>
        <translation>Turn your microphone on or off.</translation>
    </message>
    <message>
        <source>Turn your camera on or off.</source>
        <translation>Turn your camera on or off.</translation>
    </message>
    <message>
        <source>Mi&amp;nimise</source>
        <translation>Mi&amp;nimise</translation>
    </message>
    <message>
        <source>Move the video into a small window that stays on top.</source>
        <translation>Move the video into a small window that stays on top.</translation>
    </message>
    <message>
        <source>&amp;Hang up</source>
        <translation>&amp;Hang up</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Hide the call pane.</source>
        <translation>Hide the call pane.</translation>
    </message>
    <message>
        <source>Round trip %1 ms, packet loss %2 %</source>
        <translation>Round trip %1 ms, packet loss %2 %</translation>
    </message>
    <message>
        <source>&amp;Microphone on</source>
        <translation>&amp;Microphone on</translation>
    </message>
    <message>
        <source>&amp;Microphone off</source>
        <translation>&amp;Microphone off</translation>
    </message>
    <message>
        <source>C&amp;amera on</source>
        <translation>C&amp;amera on</translation>
    </message>
    <message>
        <source>C&amp;amera off</source>
        <translation>C&amp;amera off</translation>
    </message>
</context>
<context>
    <name>VisitorDataRow</name>
    <message>
        <source>Export data…</source>
        <translation>Export data…</translation>
    </message>
    <message>
        <source>Save everything held about this visitor as a JSON file</source>
        <translation>Save everything held about this visitor as a JSON file</translation>
    </message>
    <message>
        <source>Delete visitor…</source>
        <translation>Delete visitor…</translation>
    </message>
    <message>
        <source>Delete this visitor with their chats and history</source>
        <translation>Delete this visitor with their chats and history</translation>
    </message>
    <message>
        <source>visitor</source>
        <translation>visitor</translation>
    </message>
    <message>
        <source>Export the visitor&apos;s data</source>
        <translation>Export the visitor&apos;s data</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON files (*.json)</translation>
    </message>
    <message>
        <source>Delete %1 and everything held about them: their chats with notes and tags, visits, pages viewed and offline messages? This cannot be undone. The deletion is logged.</source>
        <translation>Delete %1 and everything held about them: their chats with notes and tags, visits, pages viewed and offline messages? This cannot be undone. The deletion is logged.</translation>
    </message>
    <message>
        <source>Delete visitor</source>
        <translation>Delete visitor</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
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
        <source>This visitor and their data were deleted.</source>
        <translation>This visitor and their data were deleted.</translation>
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
    <name>WindowDialogs</name>
    <message>
        <source>Your password was changed.</source>
        <translation>Your password was changed.</translation>
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
        <source>&amp;Archives</source>
        <translation>&amp;Archives</translation>
    </message>
    <message>
        <source>Find closed chats and read them (Ctrl+Shift+R)</source>
        <translation>Find closed chats and read them (Ctrl+Shift+R)</translation>
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
        <source>&amp;Team</source>
        <translation>&amp;Team</translation>
    </message>
    <message>
        <source>Your team&apos;s status, load and chats today (Ctrl+Shift+M)</source>
        <translation>Your team&apos;s status, load and chats today (Ctrl+Shift+M)</translation>
    </message>
    <message>
        <source>&amp;Reports</source>
        <translation>&amp;Reports</translation>
    </message>
    <message>
        <source>Chats, response times, ratings and greetings over days (Ctrl+Shift+O)</source>
        <translation>Chats, response times, ratings and greetings over days (Ctrl+Shift+O)</translation>
    </message>
    <message>
        <source>Invitation sent to %1.</source>
        <translation>Invitation sent to %1.</translation>
    </message>
</context>
<context>
    <name>_DeviceChoice</name>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (not connected)</translation>
    </message>
</context>
</TS>
