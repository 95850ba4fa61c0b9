<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en_US">
<context>
    <name>AdminDialog</name>
    <message>
        <source>Administration</source>
        <translation>管理</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>Could not load: %1</source>
        <translation>読み込めませんでした: %1</translation>
    </message>
</context>
<context>
    <name>AdminRefusal</name>
    <message>
        <source>This already exists.</source>
        <translation>すでに存在します。</translation>
    </message>
    <message>
        <source>The server refused this change.</source>
        <translation>サーバーがこの変更を拒否しました。</translation>
    </message>
    <message>
        <source>This no longer exists on the server. Reload the page.</source>
        <translation>サーバー上にもう存在しません。ページを再読み込みしてください。</translation>
    </message>
    <message>
        <source>The server refused these values.</source>
        <translation>サーバーがこの値を受け付けませんでした。</translation>
    </message>
    <message>
        <source>The password is wrong.</source>
        <translation>パスワードが違います。</translation>
    </message>
    <message>
        <source>%1 (Server: %2)</source>
        <translation>%1（サーバー: %2）</translation>
    </message>
</context>
<context>
    <name>AgentFormDialog</name>
    <message>
        <source>name@example.com</source>
        <translation>例: name@example.com</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>既定</translation>
    </message>
    <message>
        <source>How many chats the agent holds at once; Default uses the routing setting.</source>
        <translation>オペレーターが同時に対応できるチャット数です。「既定」ではルーティング設定の値を使います。</translation>
    </message>
    <message>
        <source>&amp;E-mail</source>
        <translation>メールアドレス(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名前(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>ロール(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Groups</source>
        <translation>グループ(&amp;G)</translation>
    </message>
    <message>
        <source>Chat &amp;limit</source>
        <translation>同時対応上限(&amp;L)</translation>
    </message>
    <message>
        <source>Enter the agent&apos;s e-mail address.</source>
        <translation>オペレーターのメールアドレスを入力してください。</translation>
    </message>
    <message>
        <source>Enter the agent&apos;s name.</source>
        <translation>オペレーターの名前を入力してください。</translation>
    </message>
</context>
<context>
    <name>AgentsModel</name>
    <message>
        <source>Agent</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>スーパーバイザー</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>管理者</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>ロール</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>Chat limit</source>
        <translation>対応上限</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>ステータス</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>有効</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>既定</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>無効</translation>
    </message>
</context>
<context>
    <name>AgentsPage</name>
    <message>
        <source>&amp;New agent…</source>
        <translation>オペレーターを追加(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Change…</source>
        <translation>変更(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Deactivate…</source>
        <translation>無効化(&amp;D)…</translation>
    </message>
    <message>
        <source>Reset &amp;password…</source>
        <translation>パスワードをリセット(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>再読み込み(&amp;R)</translation>
    </message>
    <message>
        <source>Agents</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>No agent accounts yet.</source>
        <translation>オペレーターのアカウントはまだありません。</translation>
    </message>
    <message>
        <source>Re&amp;activate…</source>
        <translation>再有効化(&amp;A)…</translation>
    </message>
    <message>
        <source>%1 was created.</source>
        <translation>%1 を作成しました。</translation>
    </message>
    <message>
        <source>The changes to %1 were saved.</source>
        <translation>%1 の変更を保存しました。</translation>
    </message>
    <message>
        <source>Deactivate agent</source>
        <translation>オペレーターの無効化</translation>
    </message>
    <message>
        <source>Deactivate %1? They are signed out at once: the app closes its connection right now, and they can no longer sign in. You can reactivate the account later.</source>
        <translation>%1 を無効化しますか？ 直ちにサインアウトされ（アプリの接続がすぐに切断されます）、以後サインインできなくなります。アカウントは後から再有効化できます。</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>無効化</translation>
    </message>
    <message>
        <source>Reactivate agent</source>
        <translation>オペレーターの再有効化</translation>
    </message>
    <message>
        <source>Reactivate %1? They can sign in again with their password.</source>
        <translation>%1 を再有効化しますか？ 本人のパスワードで再びサインインできるようになります。</translation>
    </message>
    <message>
        <source>Reactivate</source>
        <translation>再有効化</translation>
    </message>
    <message>
        <source>%1 was deactivated.</source>
        <translation>%1 を無効化しました。</translation>
    </message>
    <message>
        <source>%1 was reactivated.</source>
        <translation>%1 を再有効化しました。</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>パスワードをリセット</translation>
    </message>
    <message>
        <source>Give %1 a new temporary password? Their current password stops working and they are signed out everywhere; they choose a new password when they sign in.</source>
        <translation>%1 に新しい仮パスワードを発行しますか？ 現在のパスワードは使えなくなり、すべての端末でサインアウトされます。次回のサインイン時に本人が新しいパスワードを設定します。</translation>
    </message>
    <message>
        <source>The password of %1 was reset.</source>
        <translation>%1 のパスワードをリセットしました。</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <source>You are signed in, but could not be remembered: no password keyring is available.</source>
        <translation>サインインしましたが、パスワードキーリングがないため、サインイン情報を保存できませんでした。</translation>
    </message>
</context>
<context>
    <name>ArchiveExporter</name>
    <message>
        <source>chat</source>
        <translation>チャット</translation>
    </message>
    <message>
        <source>Text files (*.txt)</source>
        <translation>テキストファイル (*.txt)</translation>
    </message>
    <message>
        <source>Web pages (*.html *.htm)</source>
        <translation>Web ページ (*.html *.htm)</translation>
    </message>
    <message>
        <source>Export the chat as text</source>
        <translation>チャットをテキストで書き出す</translation>
    </message>
    <message>
        <source>Export the chat as HTML</source>
        <translation>チャットを HTML で書き出す</translation>
    </message>
    <message>
        <source>archives</source>
        <translation>アーカイブ</translation>
    </message>
    <message>
        <source>Export the results as CSV</source>
        <translation>検索結果を CSV で書き出す</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV ファイル (*.csv)</translation>
    </message>
</context>
<context>
    <name>ArchiveFilters</name>
    <message>
        <source>&amp;From</source>
        <translation>開始日(&amp;F)</translation>
    </message>
    <message>
        <source>T&amp;o</source>
        <translation>終了日(&amp;O)</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Chats with any of the ticked tags</source>
        <translation>チェックしたタグのいずれかが付いたチャット</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>担当者</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>評価</translation>
    </message>
    <message>
        <source>Any rating</source>
        <translation>評価: すべて</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>高評価</translation>
    </message>
    <message>
        <source>Rated bad</source>
        <translation>低評価</translation>
    </message>
    <message>
        <source>Not rated</source>
        <translation>評価なし</translation>
    </message>
    <message>
        <source>Had a video &amp;call</source>
        <translation>ビデオ通話あり(&amp;C)</translation>
    </message>
    <message>
        <source>T&amp;ransferred</source>
        <translation>転送あり(&amp;R)</translation>
    </message>
    <message>
        <source>Visitor name or e-mail</source>
        <translation>訪問者の名前またはメールアドレス</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>絞り込みを解除</translation>
    </message>
    <message>
        <source>V&amp;isitor:</source>
        <translation>訪問者(&amp;I):</translation>
    </message>
    <message>
        <source>Any agent</source>
        <translation>担当者: すべて</translation>
    </message>
    <message>
        <source>Any group</source>
        <translation>グループ: すべて</translation>
    </message>
    <message>
        <source>Any site</source>
        <translation>サイト: すべて</translation>
    </message>
    <message>
        <source>No tags yet</source>
        <translation>タグはまだありません</translation>
    </message>
    <message>
        <source>Tags (%1)</source>
        <translation>タグ (%1)</translation>
    </message>
    <message>
        <source>Any tag</source>
        <translation>すべてのタグ</translation>
    </message>
</context>
<context>
    <name>ArchiveHitDelegate</name>
    <message>
        <source>Rated good</source>
        <translation>高評価</translation>
    </message>
    <message>
        <source>Rated bad</source>
        <translation>低評価</translation>
    </message>
    <message>
        <source>Video call</source>
        <translation>ビデオ通話</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>転送</translation>
    </message>
    <message>
        <source>In a file name</source>
        <translation>ファイル名</translation>
    </message>
    <message>
        <source>In an internal note</source>
        <translation>社内メモに一致</translation>
    </message>
    <message>
        <source>In the visitor&apos;s details</source>
        <translation>訪問者情報に一致</translation>
    </message>
</context>
<context>
    <name>ArchiveModel</name>
    <message>
        <source>No agent</source>
        <translation>担当者なし</translation>
    </message>
</context>
<context>
    <name>ArchiveTranscriptPane</name>
    <message>
        <source>Tag this chat (%1).</source>
        <translation>このチャットにタグを付けます (%1)。</translation>
    </message>
    <message>
        <source>Export as te&amp;xt…</source>
        <translation>テキストで書き出す(&amp;X)…</translation>
    </message>
    <message>
        <source>Save this chat&apos;s transcript as a text file</source>
        <translation>このチャットの履歴をテキストファイルに保存します</translation>
    </message>
    <message>
        <source>Export as &amp;HTML…</source>
        <translation>HTML で書き出す(&amp;H)…</translation>
    </message>
    <message>
        <source>Save this chat&apos;s transcript as a web page</source>
        <translation>このチャットの履歴を Web ページとして保存します</translation>
    </message>
    <message>
        <source>Select a chat in the list to read it here.</source>
        <translation>一覧からチャットを選ぶと、ここに内容が表示されます。</translation>
    </message>
    <message>
        <source>%1 with %2</source>
        <translation>%1 (担当: %2)</translation>
    </message>
    <message>
        <source>Closed %1</source>
        <translation>終了 %1</translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation>メッセージ %1 件</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>高評価</translation>
    </message>
    <message>
        <source>Rated bad</source>
        <translation>低評価</translation>
    </message>
    <message>
        <source>Video call</source>
        <translation>ビデオ通話</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>転送</translation>
    </message>
    <message>
        <source>Loading the chat…</source>
        <translation>チャットを読み込んでいます…</translation>
    </message>
    <message>
        <source>This chat could not be loaded: %1</source>
        <translation>このチャットを読み込めませんでした: %1</translation>
    </message>
</context>
<context>
    <name>ArchivesView</name>
    <message>
        <source>Search messages, notes and visitors (Enter)</source>
        <translation>メッセージ・メモ・訪問者を検索 (Enter)</translation>
    </message>
    <message>
        <source>Search the archives</source>
        <translation>アーカイブを検索</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>検索(&amp;S)</translation>
    </message>
    <message>
        <source>Searching</source>
        <translation>検索中</translation>
    </message>
    <message>
        <source>Chats found</source>
        <translation>見つかったチャット</translation>
    </message>
    <message>
        <source>&amp;Export results as CSV…</source>
        <translation>検索結果を CSV で書き出す(&amp;E)…</translation>
    </message>
    <message>
        <source>Save every chat this search finds as a CSV file</source>
        <translation>この検索で見つかるすべてのチャットを CSV ファイルに保存します</translation>
    </message>
    <message>
        <source>&amp;Load more</source>
        <translation>さらに読み込む(&amp;L)</translation>
    </message>
    <message>
        <source>Show older chats</source>
        <translation>もっと古いチャットを表示します</translation>
    </message>
    <message>
        <source>Filters (%1)</source>
        <translation>絞り込み (%1)</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>絞り込み</translation>
    </message>
    <message>
        <source>Show or hide the filters</source>
        <translation>絞り込み条件の表示・非表示を切り替えます</translation>
    </message>
    <message>
        <source>The archives could not be searched: %1</source>
        <translation>アーカイブを検索できませんでした: %1</translation>
    </message>
    <message>
        <source>No chats found.</source>
        <translation>チャットが見つかりません。</translation>
    </message>
    <message>
        <source>Try other words or fewer filters.</source>
        <translation>別の語句で検索するか、絞り込み条件を減らしてください。</translation>
    </message>
    <message>
        <source>Try other words.</source>
        <translation>別の語句で検索してください。</translation>
    </message>
    <message>
        <source>No chat has been closed yet.</source>
        <translation>終了したチャットはまだありません。</translation>
    </message>
    <message>
        <source>Loading the latest closed chats…</source>
        <translation>最近終了したチャットを読み込んでいます…</translation>
    </message>
    <message>
        <source>Chats containing “%1”: %2</source>
        <translation>「%1」を含むチャット: %2 件</translation>
    </message>
    <message>
        <source>Closed chats matching the filters: %1</source>
        <translation>条件に合う終了済みチャット: %1 件</translation>
    </message>
    <message>
        <source>The latest closed chats: %1</source>
        <translation>最近終了したチャット: %1 件</translation>
    </message>
    <message>
        <source>%1 or more</source>
        <translation>%1 件以上</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>書き出し中…</translation>
    </message>
    <message>
        <source>The agents, groups and sites to filter by could not be loaded: %1</source>
        <translation>絞り込み用の担当者・グループ・サイトを読み込めませんでした: %1</translation>
    </message>
</context>
<context>
    <name>AttachmentKinds</name>
    <message>
        <source>%1 bytes</source>
        <translation>%1 バイト</translation>
    </message>
</context>
<context>
    <name>AttachmentPaint</name>
    <message>
        <source>Image unavailable</source>
        <translation>画像を表示できません</translation>
    </message>
    <message>
        <source>Loading image…</source>
        <translation>画像を読み込み中…</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <source>The file is too large.</source>
        <translation>ファイルが大きすぎます。</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>ファイルが空です。</translation>
    </message>
    <message>
        <source>Files of this kind cannot be sent in chats.</source>
        <translation>この種類のファイルはチャットで送信できません。</translation>
    </message>
    <message>
        <source>The file&apos;s content does not match its name.</source>
        <translation>ファイルの内容が名前（拡張子）と一致しません。</translation>
    </message>
    <message>
        <source>The file is damaged and cannot be read.</source>
        <translation>ファイルが壊れているため読み取れません。</translation>
    </message>
    <message>
        <source>The file is too complex to be checked.</source>
        <translation>ファイルが複雑すぎるため確認できません。</translation>
    </message>
    <message>
        <source>Sending files is turned off by your administrator.</source>
        <translation>ファイルの送信は管理者によって無効にされています。</translation>
    </message>
    <message>
        <source>Too many files at once. Please wait a moment and retry.</source>
        <translation>短時間に送信したファイルが多すぎます。少し待ってから再試行してください。</translation>
    </message>
    <message>
        <source>The file store is unavailable. Please retry later.</source>
        <translation>ファイルの保存先を利用できません。後でもう一度お試しください。</translation>
    </message>
    <message>
        <source>The upload was interrupted.</source>
        <translation>アップロードが中断されました。</translation>
    </message>
    <message>
        <source>The chat is closed.</source>
        <translation>チャットは終了しています。</translation>
    </message>
    <message>
        <source>You no longer hold this chat.</source>
        <translation>このチャットの担当ではなくなりました。</translation>
    </message>
    <message>
        <source>The chat or the file no longer exists.</source>
        <translation>チャットまたはファイルが見つかりません。</translation>
    </message>
    <message>
        <source>The file could not be sent.</source>
        <translation>ファイルを送信できませんでした。</translation>
    </message>
    <message>
        <source>The file is too large: %1. Files up to %2 can be sent.</source>
        <translation>ファイルが大きすぎます（%1）。送信できるのは %2 までです。</translation>
    </message>
    <message>
        <source>Files of this kind cannot be sent in chats. Allowed: %1</source>
        <translation>この種類のファイルはチャットで送信できません。送信できる形式：%1</translation>
    </message>
    <message>
        <source>The server could not be reached. Please retry.</source>
        <translation>サーバーに接続できませんでした。再試行してください。</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <source>Agent created</source>
        <translation>オペレーターを作成</translation>
    </message>
    <message>
        <source>Agent changed</source>
        <translation>オペレーターを変更</translation>
    </message>
    <message>
        <source>Agent&apos;s status set</source>
        <translation>オペレーターの状態を設定</translation>
    </message>
    <message>
        <source>Password reset</source>
        <translation>パスワードをリセット</translation>
    </message>
    <message>
        <source>Own password changed</source>
        <translation>自分のパスワードを変更</translation>
    </message>
    <message>
        <source>Chat limit set</source>
        <translation>同時対応上限を設定</translation>
    </message>
    <message>
        <source>Group created</source>
        <translation>グループを作成</translation>
    </message>
    <message>
        <source>Group changed</source>
        <translation>グループを変更</translation>
    </message>
    <message>
        <source>Group deleted</source>
        <translation>グループを削除</translation>
    </message>
    <message>
        <source>Site created</source>
        <translation>サイトを作成</translation>
    </message>
    <message>
        <source>Site changed</source>
        <translation>サイトを変更</translation>
    </message>
    <message>
        <source>Routing settings changed</source>
        <translation>ルーティング設定を変更</translation>
    </message>
    <message>
        <source>Visitor tracking settings changed</source>
        <translation>訪問者トラッキング設定を変更</translation>
    </message>
    <message>
        <source>Business hours changed</source>
        <translation>営業時間を変更</translation>
    </message>
    <message>
        <source>App versions changed</source>
        <translation>アプリのバージョン設定を変更</translation>
    </message>
    <message>
        <source>Greeting rule created</source>
        <translation>自動あいさつのルールを作成</translation>
    </message>
    <message>
        <source>Greeting rule changed</source>
        <translation>自動あいさつのルールを変更</translation>
    </message>
    <message>
        <source>Greeting rule deleted</source>
        <translation>自動あいさつのルールを削除</translation>
    </message>
    <message>
        <source>Team reply created</source>
        <translation>チームの定型文を作成</translation>
    </message>
    <message>
        <source>Team reply changed</source>
        <translation>チームの定型文を変更</translation>
    </message>
    <message>
        <source>Team reply deleted</source>
        <translation>チームの定型文を削除</translation>
    </message>
    <message>
        <source>Greeting rule: %1</source>
        <translation>自動あいさつのルール: %1</translation>
    </message>
    <message>
        <source>Team reply: %1</source>
        <translation>チームの定型文: %1</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <source>reordered</source>
        <translation>並べ替え</translation>
    </message>
    <message>
        <source>Before:</source>
        <translation>変更前:</translation>
    </message>
    <message>
        <source>After:</source>
        <translation>変更後:</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>実行者</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>対象</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>変更内容</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>&amp;Reload</source>
        <translation>再読み込み(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Older entries</source>
        <translation>以前の記録(&amp;O)</translation>
    </message>
    <message>
        <source>Select an entry to see everything it changed.</source>
        <translation>記録を選ぶと、変更されたすべての内容が表示されます。</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>監査ログ</translation>
    </message>
    <message>
        <source>No changes have been recorded yet.</source>
        <translation>記録された変更はまだありません。</translation>
    </message>
    <message>
        <source>These are all the entries.</source>
        <translation>すべての記録を表示しました。</translation>
    </message>
</context>
<context>
    <name>AwayWhenIdle</name>
    <message>
        <source>You were set to away after 1 minute without activity</source>
        <translation>1 分間操作がなかったため、離席中にしました</translation>
    </message>
    <message>
        <source>You were set to away after %1 minutes without activity</source>
        <translation>%1 分間操作がなかったため、離席中にしました</translation>
    </message>
</context>
<context>
    <name>BusinessHoursPage</name>
    <message>
        <source>Team &amp;time zone</source>
        <translation>チームのタイムゾーン(&amp;T)</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>月曜日</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>火曜日</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>水曜日</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>木曜日</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>金曜日</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>土曜日</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>日曜日</translation>
    </message>
    <message>
        <source>Open on</source>
        <translation>営業日</translation>
    </message>
    <message>
        <source>From</source>
        <translation>開始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>A day that is not ticked is closed. Times are in the team&apos;s time zone above, which reports also use for days, hours and weekdays.</source>
        <translation>チェックのない曜日は休業です。時刻は上のチームのタイムゾーンで、レポートの日付・時間帯・曜日もこのタイムゾーンで数えます。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Business hours</source>
        <translation>営業時間</translation>
    </message>
    <message>
        <source>“%1” is not a known time zone. Choose one from the list.</source>
        <translation>「%1」は不明なタイムゾーンです。一覧から選んでください。</translation>
    </message>
    <message>
        <source>%1: the opening time must be before the closing time.</source>
        <translation>%1: 開始時刻は終了時刻より前にしてください。</translation>
    </message>
    <message>
        <source>Business hours saved.</source>
        <translation>営業時間を保存しました。</translation>
    </message>
</context>
<context>
    <name>CallEngine</name>
    <message>
        <source>Video calls need the Qt WebEngine component (PySide6-Addons), which is not installed or cannot be loaded. Ask your administrator to install it.</source>
        <translation>ビデオ通話には Qt WebEngine コンポーネント（PySide6-Addons）が必要ですが、インストールされていないか読み込めません。管理者にインストールを依頼してください。</translation>
    </message>
</context>
<context>
    <name>CallPane</name>
    <message>
        <source>Video call</source>
        <translation>ビデオ通話</translation>
    </message>
</context>
<context>
    <name>CallText</name>
    <message>
        <source>Calling the visitor…</source>
        <translation>訪問者を呼び出しています…</translation>
    </message>
    <message>
        <source>Ringing…</source>
        <translation>呼び出し中…</translation>
    </message>
    <message>
        <source>The visitor answered. Connecting…</source>
        <translation>訪問者が応答しました。接続しています…</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>接続済み</translation>
    </message>
    <message>
        <source>Connection lost. Reconnecting…</source>
        <translation>接続が切れました。再接続しています…</translation>
    </message>
    <message>
        <source>Call ended</source>
        <translation>通話終了</translation>
    </message>
    <message>
        <source>The visitor declined the call.</source>
        <translation>訪問者が通話を拒否しました。</translation>
    </message>
    <message>
        <source>The visitor did not answer.</source>
        <translation>訪問者が応答しませんでした。</translation>
    </message>
    <message>
        <source>You cancelled the call.</source>
        <translation>通話を取り消しました。</translation>
    </message>
    <message>
        <source>Call ended: the visitor reloaded or left the page.</source>
        <translation>通話終了: 訪問者がページを再読み込みしたか、ページを離れました。</translation>
    </message>
    <message>
        <source>Call ended: the connection was lost and did not come back.</source>
        <translation>通話終了: 接続が切れ、復旧しませんでした。</translation>
    </message>
    <message>
        <source>Call failed: audio and video could not get through the network. A TURN server may be needed.</source>
        <translation>通話に失敗しました: 音声と映像がネットワークを通過できませんでした。TURN サーバーが必要な可能性があります。</translation>
    </message>
    <message>
        <source>Call ended because the chat was closed or transferred.</source>
        <translation>チャットが終了または転送されたため、通話を終了しました。</translation>
    </message>
    <message>
        <source>The visitor hung up.</source>
        <translation>訪問者が通話を終了しました。</translation>
    </message>
    <message>
        <source>You hung up.</source>
        <translation>通話を終了しました。</translation>
    </message>
    <message>
        <source>Call ended.</source>
        <translation>通話を終了しました。</translation>
    </message>
    <message>
        <source>Quality: good</source>
        <translation>品質: 良好</translation>
    </message>
    <message>
        <source>Quality: fair</source>
        <translation>品質: 普通</translation>
    </message>
    <message>
        <source>Quality: poor</source>
        <translation>品質: 不良</translation>
    </message>
    <message>
        <source>No camera found: audio only. The visitor hears you but does not see you.</source>
        <translation>カメラが見つかりません: 音声のみです。訪問者にはあなたの声は聞こえますが、映像は見えません。</translation>
    </message>
    <message>
        <source>No microphone found: video only. The visitor sees you but does not hear you.</source>
        <translation>マイクが見つかりません: 映像のみです。訪問者にはあなたの映像は見えますが、声は聞こえません。</translation>
    </message>
    <message>
        <source>No camera or microphone found: you can only see and hear the visitor.</source>
        <translation>カメラもマイクも見つかりません: 訪問者の映像と音声を受け取るだけです。</translation>
    </message>
    <message>
        <source>The visitor turned off their microphone and camera.</source>
        <translation>訪問者がマイクとカメラをオフにしました。</translation>
    </message>
    <message>
        <source>The visitor&apos;s microphone is off.</source>
        <translation>訪問者のマイクはオフです。</translation>
    </message>
    <message>
        <source>The visitor&apos;s camera is off.</source>
        <translation>訪問者のカメラはオフです。</translation>
    </message>
    <message>
        <source>The visitor is not connected right now, so they cannot be called.</source>
        <translation>訪問者は現在接続していないため、通話できません。</translation>
    </message>
    <message>
        <source>A call with this visitor is already running.</source>
        <translation>この訪問者とはすでに通話中です。</translation>
    </message>
</context>
<context>
    <name>CannedDialog</name>
    <message>
        <source>Canned replies</source>
        <translation>定型文</translation>
    </message>
    <message>
        <source>Search shortcut, title or text</source>
        <translation>ショートカット、タイトル、本文で検索</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新規</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>e.g. thanks</source>
        <translation>例: thanks</translation>
    </message>
    <message>
        <source>Team reply (everyone can use it)</source>
        <translation>チームの定型文（全員が使えます）</translation>
    </message>
    <message>
        <source>Only supervisors and admins create or change team replies.</source>
        <translation>チームの定型文を作成・変更できるのはスーパーバイザーと管理者だけです。</translation>
    </message>
    <message>
        <source>Placeholders: {visitor.name}, {visitor.email}, {agent.name}, {page.url}. A fallback follows a bar: {visitor.name|customer}.</source>
        <translation>差し込み項目: {visitor.name}、{visitor.email}、{agent.name}、{page.url}。値がないときの代わりの文字は縦棒の後に書きます: {visitor.name|お客様}。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Shortcut (#)</source>
        <translation>ショートカット (#)</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>タイトル</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>本文</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Offline: showing the saved copy. Changes need the server.</source>
        <translation>オフライン: 保存済みのコピーを表示しています。変更にはサーバーへの接続が必要です。</translation>
    </message>
    <message>
        <source>A team reply: only supervisors and admins can change it.</source>
        <translation>チームの定型文です。変更できるのはスーパーバイザーと管理者だけです。</translation>
    </message>
    <message>
        <source>The shortcut is 1 to 40 letters, digits, - or _, without spaces.</source>
        <translation>ショートカットは空白なしの1〜40文字（文字、数字、- または _）です。</translation>
    </message>
    <message>
        <source>Fill in a title and a text.</source>
        <translation>タイトルと本文を入力してください。</translation>
    </message>
    <message>
        <source>Only supervisors and admins may create or change team replies.</source>
        <translation>チームの定型文を作成・変更できるのはスーパーバイザーと管理者だけです。</translation>
    </message>
    <message>
        <source>This canned reply no longer exists.</source>
        <translation>この定型文はもう存在しません。</translation>
    </message>
    <message>
        <source>Another canned reply already uses this shortcut.</source>
        <translation>このショートカットは別の定型文ですでに使われています。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>保存しました。</translation>
    </message>
    <message>
        <source>Delete canned reply</source>
        <translation>定型文の削除</translation>
    </message>
    <message>
        <source>Delete #%1?</source>
        <translation>#%1 を削除しますか？</translation>
    </message>
    <message>
        <source>Deleted.</source>
        <translation>削除しました。</translation>
    </message>
</context>
<context>
    <name>CannedPopup</name>
    <message>
        <source>↑↓ choose · Tab or Enter inserts · Esc closes</source>
        <translation>↑↓ で選択 · Tab または Enter で挿入 · Esc で閉じる</translation>
    </message>
    <message>
        <source>No canned reply matches. Esc closes.</source>
        <translation>一致する定型文はありません。Esc で閉じます。</translation>
    </message>
</context>
<context>
    <name>CannedReplies</name>
    <message>
        <source>team</source>
        <translation>チーム</translation>
    </message>
    <message>
        <source>personal</source>
        <translation>個人</translation>
    </message>
</context>
<context>
    <name>ChatAlerts</name>
    <message>
        <source>New chat in the queue</source>
        <translation>待機列に新しいチャット</translation>
    </message>
    <message>
        <source>another operator</source>
        <translation>別のオペレーター</translation>
    </message>
    <message>
        <source>Chat transferred to you</source>
        <translation>チャットが転送されました</translation>
    </message>
    <message>
        <source>New ticket</source>
        <translation>新しいチケット</translation>
    </message>
    <message>
        <source>The visitor wrote again</source>
        <translation>訪問者から返信がありました</translation>
    </message>
    <message>
        <source>Visitors are waiting</source>
        <translation>訪問者が待っています</translation>
    </message>
    <message>
        <source>Chats in the queue: %1</source>
        <translation>待機列のチャット: %1 件</translation>
    </message>
    <message>
        <source>%1 from %2</source>
        <translation>%1（%2 から）</translation>
    </message>
    <message>
        <source>New chat assigned to you</source>
        <translation>新しいチャットが割り当てられました</translation>
    </message>
</context>
<context>
    <name>ChatHeader</name>
    <message>
        <source>More</source>
        <translation>その他</translation>
    </message>
    <message>
        <source>The chat&apos;s actions that do not fit in the header.</source>
        <translation>ヘッダーに収まらないチャットの操作です。</translation>
    </message>
    <message>
        <source>More actions for this chat</source>
        <translation>このチャットのその他の操作</translation>
    </message>
</context>
<context>
    <name>ChatListModel</name>
    <message>
        <source>You: %1</source>
        <translation>自分: %1</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>No chat selected</source>
        <translation>チャットが選択されていません</translation>
    </message>
    <message>
        <source>Choose one of your chats on the left, or take a visitor from the queue (Ctrl+T).</source>
        <translation>左の一覧から担当中のチャットを選ぶか、待機中の訪問者を引き受けてください (Ctrl+T)。</translation>
    </message>
    <message>
        <source>Tag this chat (%1).</source>
        <translation>このチャットにタグを付けます (%1)。</translation>
    </message>
    <message>
        <source>Take chat</source>
        <translation>引き受ける</translation>
    </message>
    <message>
        <source>Close chat</source>
        <translation>チャットを終了</translation>
    </message>
    <message>
        <source>End this conversation for you and the visitor.</source>
        <translation>あなたと訪問者の両方でこの会話を終了します。</translation>
    </message>
    <message>
        <source>Transfer…</source>
        <translation>転送…</translation>
    </message>
    <message>
        <source>Hand this chat to a colleague or a group (%1).</source>
        <translation>このチャットを同僚またはグループに引き継ぎます（%1）。</translation>
    </message>
    <message>
        <source>Send page…</source>
        <translation>ページを送る…</translation>
    </message>
    <message>
        <source>Show the visitor a page of your site; they are asked first (%1).</source>
        <translation>訪問者に自社サイトのページを表示します。表示前に訪問者の確認があります（%1）。</translation>
    </message>
    <message>
        <source>Video call</source>
        <translation>ビデオ通話</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>送信</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>Write an internal note that only operators see (%1).</source>
        <translation>オペレーターだけが見られる社内メモを書きます（%1）。</translation>
    </message>
    <message>
        <source>Canned…</source>
        <translation>定型文…</translation>
    </message>
    <message>
        <source>Manage canned replies. Type # in the reply box to use one.</source>
        <translation>定型文を管理します。返信欄で # を入力すると定型文を使えます。</translation>
    </message>
    <message>
        <source>Waiting in the queue. Take the chat to reply.</source>
        <translation>待機中です。返信するにはチャットを引き受けてください。</translation>
    </message>
    <message>
        <source>You are chatting with this visitor.</source>
        <translation>この訪問者と対応中です。</translation>
    </message>
    <message>
        <source>another operator</source>
        <translation>別のオペレーター</translation>
    </message>
    <message>
        <source>Taken by %1</source>
        <translation>%1 が対応中</translation>
    </message>
    <message>
        <source>This chat is closed.</source>
        <translation>このチャットは終了しています。</translation>
    </message>
    <message>
        <source>The visitor has not sent a message yet.</source>
        <translation>訪問者はまだメッセージを送信していません。</translation>
    </message>
    <message>
        <source>Type a reply. Enter sends, Shift+Enter starts a new line. # inserts a canned reply.</source>
        <translation>返信を入力してください。Enter で送信、Shift+Enter で改行、# で定型文を挿入します。</translation>
    </message>
    <message>
        <source>Only the operator holding this chat can call the visitor.</source>
        <translation>このチャットを担当しているオペレーターだけが訪問者に発信できます。</translation>
    </message>
    <message>
        <source>The visitor has left the website, so they cannot be called.</source>
        <translation>訪問者はサイトを離れたため、通話できません。</translation>
    </message>
    <message>
        <source>A video call with this visitor is running.</source>
        <translation>この訪問者とのビデオ通話中です。</translation>
    </message>
    <message>
        <source>You are already in a video call. Hang up first.</source>
        <translation>すでにビデオ通話中です。先に通話を終了してください。</translation>
    </message>
    <message>
        <source>Call the visitor with video. They are asked first (%1).</source>
        <translation>訪問者にビデオ通話を発信します。訪問者が応答するまでつながりません（%1）。</translation>
    </message>
    <message>
        <source>Ta&amp;ke this chat</source>
        <translation>このチャットを引き受ける(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Close this chat</source>
        <translation>このチャットを終了(&amp;C)</translation>
    </message>
    <message>
        <source>Canned &amp;replies…</source>
        <translation>定型文(&amp;R)…</translation>
    </message>
    <message>
        <source>Internal &amp;note mode</source>
        <translation>社内メモモード(&amp;N)</translation>
    </message>
    <message>
        <source>Trans&amp;fer chat…</source>
        <translation>チャットを転送(&amp;F)…</translation>
    </message>
    <message>
        <source>Send a &amp;page to the visitor…</source>
        <translation>訪問者にページを送る(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Video call with the visitor</source>
        <translation>訪問者とビデオ通話(&amp;V)</translation>
    </message>
    <message>
        <source>T&amp;ag this chat…</source>
        <translation>このチャットにタグを付ける(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Offline messages…</source>
        <translation>オフラインメッセージ(&amp;O)…</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>メモを追加</translation>
    </message>
    <message>
        <source>Take this chat to reply.</source>
        <translation>返信するには、このチャットを引き受けてください。</translation>
    </message>
    <message>
        <source>You cannot reply in this chat.</source>
        <translation>このチャットには返信できません。</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>メッセージはまだありません</translation>
    </message>
</context>
<context>
    <name>ChatRowDelegate</name>
    <message>
        <source>Visitor is typing…</source>
        <translation>訪問者が入力中…</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>メッセージはまだありません</translation>
    </message>
</context>
<context>
    <name>ChatSelection</name>
    <message>
        <source>No unread messages.</source>
        <translation>未読のメッセージはありません。</translation>
    </message>
</context>
<context>
    <name>ChatTagsBar</name>
    <message>
        <source>Tags</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Tags of this chat</source>
        <translation>このチャットのタグ</translation>
    </message>
    <message>
        <source>Tags (%1)</source>
        <translation>タグ (%1)</translation>
    </message>
    <message>
        <source>No tags yet. An administrator defines them.</source>
        <translation>タグはまだありません。タグは管理者が作成します。</translation>
    </message>
    <message>
        <source>The tags could not be changed: %1</source>
        <translation>タグを変更できませんでした: %1</translation>
    </message>
    <message>
        <source>The tags could not be loaded: %1</source>
        <translation>タグを読み込めませんでした: %1</translation>
    </message>
</context>
<context>
    <name>ChatTicketDialog</name>
    <message>
        <source>Create a ticket from this chat</source>
        <translation>このチャットからチケットを作成</translation>
    </message>
    <message>
        <source>&amp;Create ticket</source>
        <translation>チケットを作成(&amp;C)</translation>
    </message>
    <message>
        <source>The e-mail address the chat knows</source>
        <translation>チャットに登録されているメールアドレス</translation>
    </message>
    <message>
        <source>S&amp;ubject:</source>
        <translation>件名(&amp;U):</translation>
    </message>
    <message>
        <source>Visitor&apos;s &amp;e-mail:</source>
        <translation>訪問者のメール(&amp;E):</translation>
    </message>
    <message>
        <source>Enter the visitor&apos;s e-mail address, or leave it empty.</source>
        <translation>訪問者のメールアドレスを入力するか、空欄のままにしてください。</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Type a reply. Enter sends, Shift+Enter starts a new line.</source>
        <translation>返信を入力してください。Enter で送信、Shift+Enter で改行します。</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>返信</translation>
    </message>
    <message>
        <source>Internal note</source>
        <translation>社内メモ</translation>
    </message>
    <message>
        <source>Internal note — the visitor will not see this</source>
        <translation>社内メモ — 訪問者には表示されません</translation>
    </message>
</context>
<context>
    <name>ComposerFiles</name>
    <message>
        <source>&amp;Attach a file…</source>
        <translation>ファイルを添付(&amp;A)…</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>添付</translation>
    </message>
    <message>
        <source>Send a file or an image (%1). You can also drop files here or paste a screenshot.</source>
        <translation>ファイルや画像を送信します（%1）。ここへのドロップやスクリーンショットの貼り付けもできます。</translation>
    </message>
    <message>
        <source>Drop the files here to send them to the visitor</source>
        <translation>ここにドロップすると訪問者にファイルを送信します</translation>
    </message>
    <message>
        <source>Send a file</source>
        <translation>ファイルを送信</translation>
    </message>
    <message>
        <source>Files that can be sent (%1);;All files (*)</source>
        <translation>送信できるファイル (%1);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Files are sent to the visitor and cannot be internal notes. Leave note mode first.</source>
        <translation>ファイルは訪問者に送信されるため、メモにはできません。先にメモモードを終了してください。</translation>
    </message>
</context>
<context>
    <name>ConnectionIndicator</name>
    <message>
        <source>Connected</source>
        <translation>接続済み</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>接続中…</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>再接続中…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>Connected to the server. Messages are delivered live.</source>
        <translation>サーバーに接続しています。メッセージはリアルタイムで届きます。</translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation>サーバーに接続しています…</translation>
    </message>
    <message>
        <source>The connection was lost. Reconnecting; replies are kept and sent later.</source>
        <translation>接続が切れました。再接続しています。返信は保持され、後で送信されます。</translation>
    </message>
    <message>
        <source>No connection to the server. Replies are kept and sent when it is back.</source>
        <translation>サーバーに接続できません。返信は保持され、接続が戻ったときに送信されます。</translation>
    </message>
</context>
<context>
    <name>DisplayText</name>
    <message>
        <source>Visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>Visitor #%1</source>
        <translation>訪問者 #%1</translation>
    </message>
</context>
<context>
    <name>EmailPage</name>
    <message>
        <source>None (not encrypted)</source>
        <translation>なし（暗号化しない）</translation>
    </message>
    <message>
        <source>Remove the stored password</source>
        <translation>保存済みのパスワードを削除する</translation>
    </message>
    <message>
        <source>Leave empty to keep it</source>
        <translation>空欄のままなら変更しません</translation>
    </message>
    <message>
        <source>A password is stored.</source>
        <translation>パスワードは保存済みです。</translation>
    </message>
    <message>
        <source>No password stored.</source>
        <translation>パスワードは保存されていません。</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>ホスト</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>セキュリティ</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>&amp;Send e-mail (ticket replies, transcripts, daily summaries)</source>
        <translation>メールを送信する（チケットの返信、会話記録、日次サマリー）(&amp;S)</translation>
    </message>
    <message>
        <source>Outgoing mail (SMTP relay)</source>
        <translation>送信メール（SMTP リレー）</translation>
    </message>
    <message>
        <source>The support mailbox below (empty: the sender)</source>
        <translation>下のサポート用メールボックス（空欄: 送信元）</translation>
    </message>
    <message>
        <source>Default &amp;sender</source>
        <translation>既定の送信元(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Reply-To</source>
        <translation>返信先(&amp;R)</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>送信元アドレス</translation>
    </message>
    <message>
        <source>Per site</source>
        <translation>サイトごと</translation>
    </message>
    <message>
        <source>&amp;Read visitors&apos; replies from the support mailbox</source>
        <translation>サポート用メールボックスから訪問者の返信を読み込む(&amp;R)</translation>
    </message>
    <message>
        <source>Incoming mail (IMAP support mailbox)</source>
        <translation>受信メール（IMAP サポート用メールボックス）</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>フォルダー</translation>
    </message>
    <message>
        <source>Check every</source>
        <translation>確認間隔</translation>
    </message>
    <message>
        <source>Daily summary for supervisors</source>
        <translation>スーパーバイザー向け日次サマリー</translation>
    </message>
    <message>
        <source>Send at</source>
        <translation>送信時刻</translation>
    </message>
    <message>
        <source>:00 (team&apos;s time zone)</source>
        <translation>:00（チームのタイムゾーン）</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Mail waiting or failed</source>
        <translation>送信待ち・失敗したメール</translation>
    </message>
    <message>
        <source>To</source>
        <translation>宛先</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>試行回数</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最後のエラー</translation>
    </message>
    <message>
        <source>Re&amp;try selected</source>
        <translation>選択したメールを再送(&amp;T)</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>更新(&amp;F)</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>メール</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>送信待ち</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>送信済み</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>“%1” is not an e-mail address.</source>
        <translation>「%1」はメールアドレスではありません。</translation>
    </message>
    <message>
        <source>Enter the relay&apos;s host name.</source>
        <translation>リレーのホスト名を入力してください。</translation>
    </message>
    <message>
        <source>Enter the mailbox&apos;s host name.</source>
        <translation>メールボックスのホスト名を入力してください。</translation>
    </message>
    <message>
        <source>E-mail settings saved.</source>
        <translation>メール設定を保存しました。</translation>
    </message>
    <message>
        <source>E-mail queued again: %1</source>
        <translation>再送に回したメール: %1 件</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <source>The server address is not valid. Enter it like https://chat.example.com.</source>
        <translation>サーバーのアドレスが正しくありません。https://chat.example.com のように入力してください。</translation>
    </message>
    <message>
        <source>Wrong e-mail address or password.</source>
        <translation>メールアドレスまたはパスワードが違います。</translation>
    </message>
    <message>
        <source>Your session has expired. Please sign in again.</source>
        <translation>セッションの有効期限が切れました。もう一度サインインしてください。</translation>
    </message>
    <message>
        <source>Cannot reach the server. Check the address and your network connection.</source>
        <translation>サーバーに接続できません。アドレスとネットワーク接続を確認してください。</translation>
    </message>
    <message>
        <source>The server did not answer in time. Please try again.</source>
        <translation>サーバーから時間内に応答がありませんでした。もう一度お試しください。</translation>
    </message>
    <message>
        <source>The proxy server %1 refused the user name or password. Check the proxy in Settings &gt; Network or ask your administrator.</source>
        <translation>プロキシサーバー %1 がユーザー名またはパスワードを拒否しました。［設定］&gt;［ネットワーク］のプロキシを確認するか、管理者にお問い合わせください。</translation>
    </message>
    <message>
        <source>Cannot connect through the proxy server %1. Check the proxy in Settings &gt; Network or ask your administrator.</source>
        <translation>プロキシサーバー %1 経由で接続できません。［設定］&gt;［ネットワーク］のプロキシを確認するか、管理者にお問い合わせください。</translation>
    </message>
    <message>
        <source>The secure connection to the server failed: its certificate is not trusted. Ask your administrator for the certificate authority file.</source>
        <translation>サーバーとの安全な接続に失敗しました。サーバーの証明書が信頼されていません。管理者に認証局 (CA) ファイルを問い合わせてください。</translation>
    </message>
    <message>
        <source>This server uses a different version of the chat protocol. Please update the app.</source>
        <translation>このサーバーは異なるバージョンのチャットプロトコルを使用しています。アプリを更新してください。</translation>
    </message>
    <message>
        <source>This version of the app is too old for this server: version %1 or later is required.</source>
        <translation>このバージョンのアプリはこのサーバーでは使用できません。バージョン %1 以降が必要です。</translation>
    </message>
    <message>
        <source>Download it from %1</source>
        <translation>%1 からダウンロードしてください。</translation>
    </message>
    <message>
        <source>This address does not answer like a chat server. Check the server address.</source>
        <translation>このアドレスはチャットサーバーとして応答しません。サーバーのアドレスを確認してください。</translation>
    </message>
    <message>
        <source>Too many attempts. Please wait %1 seconds and try again.</source>
        <translation>試行回数が多すぎます。%1 秒待ってからもう一度お試しください。</translation>
    </message>
    <message>
        <source>Too many attempts. Please wait a moment and try again.</source>
        <translation>試行回数が多すぎます。しばらく待ってからもう一度お試しください。</translation>
    </message>
    <message>
        <source>The server sent an answer this app does not understand.</source>
        <translation>サーバーから、このアプリが理解できない応答が返されました。</translation>
    </message>
    <message>
        <source>The server reported an error (HTTP %1).</source>
        <translation>サーバーでエラーが発生しました (HTTP %1)。</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted: %1, issued by %2. Ask your administrator for the certificate of the authority that issued it and set it in Settings &gt; Network (Extra certificates).</source>
        <translation>サーバーの証明書は信頼されていません: %1（発行者: %2）。発行元の認証局の証明書を管理者から入手し、［設定］&gt;［ネットワーク］の「追加の証明書」に設定してください。</translation>
    </message>
    <message>
        <source>Another operator has already taken this chat.</source>
        <translation>このチャットは別のオペレーターがすでに引き受けています。</translation>
    </message>
    <message>
        <source>This chat is already closed.</source>
        <translation>このチャットはすでに終了しています。</translation>
    </message>
    <message>
        <source>You are not accepting chats. Switch your status to accepting first.</source>
        <translation>チャットを受け付けていません。先にステータスを「受付中」に切り替えてください。</translation>
    </message>
    <message>
        <source>You are not allowed to do this in this chat.</source>
        <translation>このチャットではこの操作を行う権限がありません。</translation>
    </message>
    <message>
        <source>This chat no longer exists.</source>
        <translation>このチャットはもう存在しません。</translation>
    </message>
    <message>
        <source>You are sending too fast. Please wait a moment.</source>
        <translation>送信の間隔が短すぎます。少し待ってください。</translation>
    </message>
    <message>
        <source>The server refused this request as invalid.</source>
        <translation>サーバーはこのリクエストを無効として拒否しました。</translation>
    </message>
    <message>
        <source>This visitor has already been invited during this visit.</source>
        <translation>この訪問者は今回の訪問中にすでに招待されています。</translation>
    </message>
    <message>
        <source>This page is not on the website&apos;s own addresses, so it cannot be sent.</source>
        <translation>このページは自社サイトのアドレスではないため、送ることができません。</translation>
    </message>
    <message>
        <source>This visitor is marked as spam and cannot chat.</source>
        <translation>この訪問者はスパムとしてマークされているため、チャットできません。</translation>
    </message>
    <message>
        <source>Tag this chat before closing it.</source>
        <translation>チャットを終了する前にタグを付けてください。</translation>
    </message>
    <message>
        <source>The server refused the request (%1).</source>
        <translation>サーバーがリクエストを拒否しました (%1)。</translation>
    </message>
    <message>
        <source>This visitor is no longer on the website.</source>
        <translation>この訪問者はもうサイトにいません。</translation>
    </message>
    <message>
        <source>You are offline. Please wait until the connection is back.</source>
        <translation>オフラインです。接続が戻るまでお待ちください。</translation>
    </message>
    <message>
        <source>Something went wrong. The details are in the log file.</source>
        <translation>問題が発生しました。詳細はログファイルに記録されています。</translation>
    </message>
</context>
<context>
    <name>FileExporter</name>
    <message>
        <source>Exported to %1</source>
        <translation>%1 に書き出しました</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>書き出しに失敗しました: %1</translation>
    </message>
</context>
<context>
    <name>FilesPage</name>
    <message>
        <source>Visitors and agents may send &amp;files in chats</source>
        <translation>訪問者とオペレーターがチャットでファイルを送信できる(&amp;F)</translation>
    </message>
    <message>
        <source>Images (PNG, JPEG, GIF, WebP)</source>
        <translation>画像（PNG、JPEG、GIF、WebP）</translation>
    </message>
    <message>
        <source>PDF documents</source>
        <translation>PDF 文書</translation>
    </message>
    <message>
        <source>Text files (plain text, CSV)</source>
        <translation>テキストファイル（プレーンテキスト、CSV）</translation>
    </message>
    <message>
        <source>Office documents (Word, Excel, PowerPoint, OpenDocument)</source>
        <translation>Office 文書（Word、Excel、PowerPoint、OpenDocument）</translation>
    </message>
    <message>
        <source>&amp;Largest file</source>
        <translation>最大ファイルサイズ(&amp;L)</translation>
    </message>
    <message>
        <source>Kinds allowed</source>
        <translation>許可する種類</translation>
    </message>
    <message>
        <source>The file&apos;s kind is found from its content, not its name. Images are re-encoded without their metadata (such as a photo&apos;s location). Office documents with macros are refused.</source>
        <translation>ファイルの種類は名前ではなく内容から判定します。画像はメタデータ（写真の位置情報など）を除いて再エンコードされます。マクロを含む Office 文書は受け付けません。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Revert</source>
        <translation>元に戻す(&amp;R)</translation>
    </message>
    <message>
        <source>Show the saved settings again</source>
        <translation>保存済みの設定を表示し直します</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Tick at least one kind of file, or do not allow files.</source>
        <translation>少なくとも 1 つの種類を選ぶか、ファイルの送信を許可しないでください。</translation>
    </message>
    <message>
        <source>File settings saved.</source>
        <translation>ファイルの設定を保存しました。</translation>
    </message>
</context>
<context>
    <name>GreetingRulesModel</name>
    <message>
        <source>All sites</source>
        <translation>すべてのサイト</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>有効</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>Shown</source>
        <translation>表示数</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>応答数</translation>
    </message>
    <message>
        <source>Acceptance</source>
        <translation>応答率</translation>
    </message>
    <message>
        <source>Accepted greetings as a share of those shown</source>
        <translation>表示されたあいさつのうち、訪問者が応じたものの割合</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <source>No</source>
        <translation>いいえ</translation>
    </message>
</context>
<context>
    <name>GreetingRulesPage</name>
    <message>
        <source>&amp;New rule</source>
        <translation>新しいルール(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>削除(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Save rule</source>
        <translation>ルールを保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Enabled</source>
        <translation>有効(&amp;E)</translation>
    </message>
    <message>
        <source>Empty: shown on behalf of the team</source>
        <translation>空欄の場合はチームとして表示</translation>
    </message>
    <message>
        <source>All sites</source>
        <translation>すべてのサイト</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名前(&amp;N)</translation>
    </message>
    <message>
        <source>Si&amp;te</source>
        <translation>サイト(&amp;T)</translation>
    </message>
    <message>
        <source>Se&amp;nder name</source>
        <translation>送信者名(&amp;N)</translation>
    </message>
    <message>
        <source>Greeting &amp;text</source>
        <translation>あいさつ文(&amp;T)</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>e.g. */cart*</source>
        <translation>例: */cart*</translation>
    </message>
    <message>
        <source>e.g. google</source>
        <translation>例: google</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>パソコン</translation>
    </message>
    <message>
        <source>Tablet</source>
        <translation>タブレット</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>スマートフォン</translation>
    </message>
    <message>
        <source>Unknown device</source>
        <translation>不明な端末</translation>
    </message>
    <message>
        <source>Returning visitors</source>
        <translation>リピーター</translation>
    </message>
    <message>
        <source>First-time visitors</source>
        <translation>初回訪問者</translation>
    </message>
    <message>
        <source>Time on the site at least</source>
        <translation>サイト滞在時間が次以上</translation>
    </message>
    <message>
        <source>Time on the page at least</source>
        <translation>ページ滞在時間が次以上</translation>
    </message>
    <message>
        <source>Page address matches</source>
        <translation>ページのアドレスが次に一致</translation>
    </message>
    <message>
        <source>Pages viewed at least</source>
        <translation>閲覧ページ数が次以上</translation>
    </message>
    <message>
        <source>Referrer contains</source>
        <translation>参照元に次を含む</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>端末</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>Cart value at least</source>
        <translation>カート金額が次以上</translation>
    </message>
    <message>
        <source>Only during business hours</source>
        <translation>営業時間内のみ</translation>
    </message>
    <message>
        <source>Conditions (all ticked ones must hold)</source>
        <translation>条件（チェックしたすべてを満たす場合）</translation>
    </message>
    <message>
        <source>Greetings</source>
        <translation>自動あいさつ</translation>
    </message>
    <message>
        <source>No greeting rules yet. Write one and save it.</source>
        <translation>あいさつルールはまだありません。ルールを作成して保存してください。</translation>
    </message>
    <message>
        <source>Fill in the ticked conditions, or untick them.</source>
        <translation>チェックした条件に値を入力するか、チェックを外してください。</translation>
    </message>
    <message>
        <source>Give the rule a name.</source>
        <translation>ルールの名前を入力してください。</translation>
    </message>
    <message>
        <source>Write the text of the greeting.</source>
        <translation>あいさつ文を入力してください。</translation>
    </message>
    <message>
        <source>Some values are not valid. Check the conditions.</source>
        <translation>正しくない値があります。条件を確認してください。</translation>
    </message>
    <message>
        <source>Saved the rule “%1”.</source>
        <translation>ルール「%1」を保存しました。</translation>
    </message>
    <message>
        <source>Delete greeting rule</source>
        <translation>あいさつルールの削除</translation>
    </message>
    <message>
        <source>Delete the rule “%1”? Its counts are lost.</source>
        <translation>ルール「%1」を削除しますか？ 表示数と応答数の集計も失われます。</translation>
    </message>
    <message>
        <source>Deleted the rule “%1”.</source>
        <translation>ルール「%1」を削除しました。</translation>
    </message>
</context>
<context>
    <name>GroupsPage</name>
    <message>
        <source>&amp;New group</source>
        <translation>新しいグループ(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>削除(&amp;D)…</translation>
    </message>
    <message>
        <source>e.g. Sales</source>
        <translation>例: 営業部</translation>
    </message>
    <message>
        <source>&amp;Save group</source>
        <translation>グループを保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名前(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation>メンバー(&amp;M)</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>No groups yet. Create one to route chats to a department.</source>
        <translation>グループはまだありません。部署ごとにチャットを振り分けるには、グループを作成してください。</translation>
    </message>
    <message>
        <source>(deactivated account)</source>
        <translation>（無効なアカウント）</translation>
    </message>
    <message>
        <source>&amp;Create group</source>
        <translation>グループを作成(&amp;C)</translation>
    </message>
    <message>
        <source>Enter the group&apos;s name.</source>
        <translation>グループ名を入力してください。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>保存しました。</translation>
    </message>
    <message>
        <source>Delete group</source>
        <translation>グループの削除</translation>
    </message>
    <message>
        <source>Delete the group %1? Its members stay agents but are no longer in it, and the group&apos;s supervisors no longer see their chats through it.</source>
        <translation>グループ %1 を削除しますか？ メンバーはオペレーターのままですが、このグループからは外れます。また、このグループのスーパーバイザーは、グループを通じてメンバーのチャットを見られなくなります。</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>The group %1 was deleted.</source>
        <translation>グループ %1 を削除しました。</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Zoom out</source>
        <translation>縮小</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>拡大</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>ウィンドウに合わせる</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>名前を付けて保存…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Image: %1</source>
        <translation>画像：%1</translation>
    </message>
</context>
<context>
    <name>InviteDialog</name>
    <message>
        <source>Invite to chat</source>
        <translation>チャットに招待</translation>
    </message>
    <message>
        <source>Invite %1 to chat. They see your message as a greeting on the page.</source>
        <translation>%1 さんをチャットに招待します。メッセージはページ上のあいさつとして表示されます。</translation>
    </message>
    <message>
        <source>Free text</source>
        <translation>自由入力</translation>
    </message>
    <message>
        <source>Hello! Can I help you find something?</source>
        <translation>こんにちは。何かお探しでしょうか？</translation>
    </message>
    <message>
        <source>Send invitation</source>
        <translation>招待を送る</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Sending the invitation…</source>
        <translation>招待を送信しています…</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Sign in – Live Chat Operator</source>
        <translation>サインイン – ライブチャット オペレーター</translation>
    </message>
    <message>
        <source>Sign in to your chat server</source>
        <translation>チャットサーバーにサインイン</translation>
    </message>
    <message>
        <source>name@company.com</source>
        <translation>例: name@company.co.jp</translation>
    </message>
    <message>
        <source>Remember me on this computer</source>
        <translation>このコンピューターにサインイン情報を保存する</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>サーバー:</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>メールアドレス:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>パスワード:</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>サインイン</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>Set by your administrator: you are asked to sign in each time.</source>
        <translation>管理者の設定により、サインイン情報は保存されません。毎回サインインが必要です。</translation>
    </message>
    <message>
        <source>Unavailable: no password keyring (such as GNOME Keyring or KWallet) was found on this computer, so you will be asked to sign in each time.</source>
        <translation>利用できません: このコンピューターにパスワードキーリング (GNOME Keyring や KWallet など) が見つからないため、毎回サインインが必要です。</translation>
    </message>
    <message>
        <source>Enter the server address, your e-mail address and your password.</source>
        <translation>サーバーのアドレス、メールアドレス、パスワードを入力してください。</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>サインイン中…</translation>
    </message>
</context>
<context>
    <name>MainMenus</name>
    <message>
        <source>&amp;Operator</source>
        <translation>オペレーター(&amp;O)</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>サインアウト(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>設定(&amp;S)…</translation>
    </message>
    <message>
        <source>Change &amp;password…</source>
        <translation>パスワードを変更(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Administration…</source>
        <translation>管理(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>システムの設定</translation>
    </message>
    <message>
        <source>The new language is used from the next start of the app.</source>
        <translation>新しい言語は、次回アプリを起動したときから使われます。</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>チャット(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Take next chat</source>
        <translation>次のチャットを引き受ける(&amp;T)</translation>
    </message>
    <message>
        <source>Go to &amp;my chats</source>
        <translation>担当中のチャットへ移動(&amp;M)</translation>
    </message>
    <message>
        <source>Go to the &amp;queue</source>
        <translation>待機列へ移動(&amp;Q)</translation>
    </message>
    <message>
        <source>Go to the &amp;reply box</source>
        <translation>返信欄へ移動(&amp;R)</translation>
    </message>
    <message>
        <source>Next chat with &amp;unread messages</source>
        <translation>未読のある次のチャット(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Switch to chat</source>
        <translation>チャットに切り替え(&amp;S)</translation>
    </message>
    <message>
        <source>Chat %1</source>
        <translation>チャット %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>%1 – Live Chat Operator</source>
        <translation>%1 – ライブチャット オペレーター</translation>
    </message>
    <message>
        <source>Taking the chat…</source>
        <translation>チャットを引き受けています…</translation>
    </message>
    <message>
        <source>Chat closed.</source>
        <translation>チャットを終了しました。</translation>
    </message>
</context>
<context>
    <name>MergeNumberDialog</name>
    <message>
        <source>Merge ticket #%1</source>
        <translation>チケット #%1 を統合</translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation>次へ(&amp;N)</translation>
    </message>
    <message>
        <source>#number</source>
        <translation>#番号</translation>
    </message>
    <message>
        <source>Merge &amp;into ticket:</source>
        <translation>統合先のチケット(&amp;I):</translation>
    </message>
    <message>
        <source>Enter the number of another ticket.</source>
        <translation>別のチケットの番号を入力してください。</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>自分</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>Internal note by %1 (not shown to the visitor)</source>
        <translation>%1 の社内メモ (訪問者には表示されません)</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>送信中…</translation>
    </message>
    <message>
        <source>Not delivered</source>
        <translation>未送信</translation>
    </message>
    <message>
        <source>Seen</source>
        <translation>既読</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>送信済み</translation>
    </message>
</context>
<context>
    <name>NetworkSettings</name>
    <message>
        <source>Network</source>
        <translation>ネットワーク</translation>
    </message>
    <message>
        <source>System settings</source>
        <translation>システムの設定</translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation>プロキシ(&amp;P):</translation>
    </message>
    <message>
        <source>Empty: the system&apos;s proxy settings. none: no proxy. Or an address such as http://user:password@proxy.example.com:3128</source>
        <translation>空欄: システムのプロキシ設定を使います。none: プロキシを使いません。または http://user:password@proxy.example.com:3128 のようなアドレスを入力します。</translation>
    </message>
    <message>
        <source>Only the system&apos;s certificate authorities</source>
        <translation>システムの認証局のみ</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>参照(&amp;B)…</translation>
    </message>
    <message>
        <source>Extra &amp;certificates:</source>
        <translation>追加の証明書(&amp;C):</translation>
    </message>
    <message>
        <source>Used from the next sign-in.</source>
        <translation>次回のサインインから使われます。</translation>
    </message>
    <message>
        <source>Enter none, or an address that starts with http:// or https:// and names a host.</source>
        <translation>none と入力するか、http:// または https:// で始まりホスト名を含むアドレスを入力してください。</translation>
    </message>
    <message>
        <source>There is no file %1.</source>
        <translation>ファイル %1 がありません。</translation>
    </message>
    <message>
        <source>This file name cannot be used.</source>
        <translation>このファイル名は使えません。</translation>
    </message>
    <message>
        <source>Certificate authorities (PEM)</source>
        <translation>認証局 (PEM)</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer)</source>
        <translation>PEM 証明書 (*.pem *.crt *.cer)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>すべてのファイル (*)</translation>
    </message>
</context>
<context>
    <name>NewTicketDialog</name>
    <message>
        <source>New ticket</source>
        <translation>新しいチケット</translation>
    </message>
    <message>
        <source>&amp;Create ticket</source>
        <translation>チケットを作成(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Site:</source>
        <translation>サイト(&amp;S):</translation>
    </message>
    <message>
        <source>Requester &amp;e-mail:</source>
        <translation>依頼者のメール(&amp;E):</translation>
    </message>
    <message>
        <source>Requester &amp;name:</source>
        <translation>依頼者の名前(&amp;N):</translation>
    </message>
    <message>
        <source>S&amp;ubject:</source>
        <translation>件名(&amp;U):</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>本文(&amp;T):</translation>
    </message>
    <message>
        <source>Choose the site the ticket is about.</source>
        <translation>チケットのサイトを選んでください。</translation>
    </message>
    <message>
        <source>Enter the requester&apos;s e-mail address.</source>
        <translation>依頼者のメールアドレスを入力してください。</translation>
    </message>
    <message>
        <source>Enter a subject.</source>
        <translation>件名を入力してください。</translation>
    </message>
    <message>
        <source>Enter what the requester asked.</source>
        <translation>問い合わせの内容を入力してください。</translation>
    </message>
</context>
<context>
    <name>OfflineMessagesDialog</name>
    <message>
        <source>Offline messages</source>
        <translation>オフラインメッセージ</translation>
    </message>
    <message>
        <source>Visitors left these messages while nobody was accepting chats. Answer them by e-mail from your mail program; tickets for answering in the app will come in a later version.</source>
        <translation>チャットを受け付けるオペレーターがいない間に訪問者が残したメッセージです。メールソフトからメールで返信してください。アプリ内で返信できるチケット機能は今後のバージョンで追加されます。</translation>
    </message>
    <message>
        <source>Choose a message to read it in full.</source>
        <translation>メッセージを選ぶと全文を表示します。</translation>
    </message>
    <message>
        <source>Copy e-mail address</source>
        <translation>メールアドレスをコピー</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>Messages: %1</source>
        <translation>メッセージ: %1 件</translation>
    </message>
    <message>
        <source>No offline messages.</source>
        <translation>オフラインメッセージはありません。</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（名前なし）</translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation>%1 をコピーしました</translation>
    </message>
</context>
<context>
    <name>OfflineMessagesModel</name>
    <message>
        <source>Received</source>
        <translation>受信日時</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>メッセージ</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（名前なし）</translation>
    </message>
</context>
<context>
    <name>PagePushDialog</name>
    <message>
        <source>Send a page</source>
        <translation>ページを送る</translation>
    </message>
    <message>
        <source>Show %1 a page of your site. They are asked before it opens.</source>
        <translation>%1 さんに自社サイトのページを表示します。開く前に訪問者の確認があります。</translation>
    </message>
    <message>
        <source>Page address</source>
        <translation>ページのアドレス</translation>
    </message>
    <message>
        <source>Send page</source>
        <translation>ページを送る</translation>
    </message>
    <message>
        <source>Enter a full address starting with https:// or http://.</source>
        <translation>https:// または http:// で始まる完全なアドレスを入力してください。</translation>
    </message>
    <message>
        <source>This address is not on your site, so it cannot be sent. Only pages of the site&apos;s own addresses can be shown to the visitor.</source>
        <translation>このアドレスは自社サイトではないため送れません。訪問者に表示できるのは自社サイトのページだけです。</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>パスワードを変更</translation>
    </message>
    <message>
        <source>You signed in with a temporary password. Choose your own password now.</source>
        <translation>仮パスワードでサインインしました。ご自身のパスワードを設定してください。</translation>
    </message>
    <message>
        <source>At least %1 characters</source>
        <translation>%1 文字以上</translation>
    </message>
    <message>
        <source>&amp;Temporary password</source>
        <translation>仮パスワード(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Current password</source>
        <translation>現在のパスワード(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;New password</source>
        <translation>新しいパスワード(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Repeat the new password</source>
        <translation>新しいパスワード（確認）(&amp;R)</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>現在のパスワードを入力してください。</translation>
    </message>
    <message>
        <source>The new password is too short: use at least %1 characters.</source>
        <translation>新しいパスワードが短すぎます。%1 文字以上にしてください。</translation>
    </message>
    <message>
        <source>The two new passwords are not the same.</source>
        <translation>確認用の新しいパスワードが一致しません。</translation>
    </message>
    <message>
        <source>Choose a new password that differs from the current one.</source>
        <translation>現在のパスワードとは異なる新しいパスワードを設定してください。</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>現在のパスワードが違います。</translation>
    </message>
</context>
<context>
    <name>PastChatDialog</name>
    <message>
        <source>Chat with %1</source>
        <translation>%1 さんとのチャット</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Loading the chat…</source>
        <translation>チャットを読み込んでいます…</translation>
    </message>
    <message>
        <source>This chat has no messages.</source>
        <translation>このチャットにはメッセージがありません。</translation>
    </message>
    <message>
        <source>File: %1 (%2)</source>
        <translation>ファイル：%1（%2）</translation>
    </message>
    <message>
        <source>(internal note)</source>
        <translation>（社内メモ）</translation>
    </message>
    <message>
        <source>good</source>
        <translation>良い</translation>
    </message>
    <message>
        <source>bad</source>
        <translation>悪い</translation>
    </message>
    <message>
        <source>Rated %1</source>
        <translation>評価: %1</translation>
    </message>
    <message>
        <source>The chat was closed.</source>
        <translation>チャットが終了しました。</translation>
    </message>
    <message>
        <source>%1 took the chat.</source>
        <translation>%1 がチャットを担当しました。</translation>
    </message>
</context>
<context>
    <name>PolicyLock</name>
    <message>
        <source>Set by your administrator</source>
        <translation>管理者が設定しています</translation>
    </message>
</context>
<context>
    <name>PreviewPane</name>
    <message>
        <source>Visitor&apos;s page</source>
        <translation>訪問者のページ</translation>
    </message>
    <message>
        <source>&amp;Watch the visitor&apos;s page</source>
        <translation>訪問者のページを見る(&amp;W)</translation>
    </message>
    <message>
        <source>Watch page</source>
        <translation>ページを見る</translation>
    </message>
    <message>
        <source>See the visitor&apos;s page live; they may be asked first.</source>
        <translation>訪問者のページをリアルタイムで表示します。訪問者に許可を求める場合があります。</translation>
    </message>
</context>
<context>
    <name>PreviewWidget</name>
    <message>
        <source>Stop watching</source>
        <translation>表示を停止</translation>
    </message>
    <message>
        <source>Asking to see the visitor&apos;s page…</source>
        <translation>訪問者のページの表示を依頼しています…</translation>
    </message>
    <message>
        <source>Waiting for the visitor to allow it…</source>
        <translation>訪問者の許可を待っています…</translation>
    </message>
    <message>
        <source>Waiting for the visitor&apos;s page…</source>
        <translation>訪問者のページを待っています…</translation>
    </message>
    <message>
        <source>Visitor&apos;s window: %1 × %2</source>
        <translation>訪問者の画面: %1 × %2</translation>
    </message>
    <message>
        <source>The visitor is asked whether you may see the page…</source>
        <translation>ページを表示してよいか訪問者に確認しています…</translation>
    </message>
    <message>
        <source>Live: you see the visitor&apos;s page (form fields are hidden).</source>
        <translation>ライブ: 訪問者のページを表示中です（入力欄の内容は隠されます）。</translation>
    </message>
    <message>
        <source>The visitor declined.</source>
        <translation>訪問者が拒否しました。</translation>
    </message>
    <message>
        <source>The visitor stopped the preview.</source>
        <translation>訪問者が表示を停止しました。</translation>
    </message>
    <message>
        <source>The page is too large to preview.</source>
        <translation>ページが大きすぎるため表示できません。</translation>
    </message>
    <message>
        <source>Not watching.</source>
        <translation>表示していません。</translation>
    </message>
</context>
<context>
    <name>RepliesPage</name>
    <message>
        <source>&amp;New</source>
        <translation>新規(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>削除(&amp;D)</translation>
    </message>
    <message>
        <source>e.g. thanks</source>
        <translation>例: thanks</translation>
    </message>
    <message>
        <source>Team replies can be used by everyone. Placeholders: {visitor.name}, {visitor.email}, {agent.name}, {page.url}; a fallback follows a bar: {visitor.name|customer}.</source>
        <translation>チームの定型文は全員が使えます。差し込み項目: {visitor.name}、{visitor.email}、{agent.name}、{page.url}。値がないときの代わりの文字は縦棒の後に書きます: {visitor.name|お客様}。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;hortcut (#)</source>
        <translation>ショートカット (#)(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>タイトル(&amp;T)</translation>
    </message>
    <message>
        <source>Te&amp;xt</source>
        <translation>本文(&amp;X)</translation>
    </message>
    <message>
        <source>Team replies</source>
        <translation>チームの定型文</translation>
    </message>
    <message>
        <source>No team replies yet. Write one and save it.</source>
        <translation>チームの定型文はまだありません。作成して保存してください。</translation>
    </message>
    <message>
        <source>The shortcut is 1 to 40 letters, digits, - or _, without spaces.</source>
        <translation>ショートカットは空白なしの1〜40文字（文字、数字、- または _）です。</translation>
    </message>
    <message>
        <source>Fill in a title and a text.</source>
        <translation>タイトルと本文を入力してください。</translation>
    </message>
    <message>
        <source>Another canned reply already uses this shortcut.</source>
        <translation>このショートカットは別の定型文ですでに使われています。</translation>
    </message>
    <message>
        <source>Saved #%1.</source>
        <translation>#%1 を保存しました。</translation>
    </message>
    <message>
        <source>Delete team reply</source>
        <translation>チームの定型文の削除</translation>
    </message>
    <message>
        <source>Delete #%1 for the whole team?</source>
        <translation>チーム全体から #%1 を削除しますか？</translation>
    </message>
    <message>
        <source>Deleted #%1.</source>
        <translation>#%1 を削除しました。</translation>
    </message>
</context>
<context>
    <name>ReportText</name>
    <message>
        <source>%1 of chats</source>
        <translation>全体の %1</translation>
    </message>
    <message>
        <source>%1 good, %2 bad</source>
        <translation>良い %1 件、悪い %2 件</translation>
    </message>
    <message>
        <source>90% within %1</source>
        <translation>90% が %1 以内</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 時間 %2 分</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>月曜日</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>火曜日</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>水曜日</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>木曜日</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>金曜日</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>土曜日</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>日曜日</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>火</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>水</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>木</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>金</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>土</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>日</translation>
    </message>
    <message>
        <source>By agent (the chat&apos;s last agent)</source>
        <translation>担当者別（チャットの最後の担当者）</translation>
    </message>
    <message>
        <source>By group</source>
        <translation>グループ別</translation>
    </message>
    <message>
        <source>By site</source>
        <translation>サイト別</translation>
    </message>
    <message>
        <source>By tag (a chat counts under each of its tags)</source>
        <translation>タグ別（チャットは付いているタグごとに数えます）</translation>
    </message>
    <message>
        <source>Not taken</source>
        <translation>未対応</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>グループなし</translation>
    </message>
    <message>
        <source>No site</source>
        <translation>サイトなし</translation>
    </message>
    <message>
        <source>No tag</source>
        <translation>タグなし</translation>
    </message>
    <message>
        <source>(deleted)</source>
        <translation>（削除済み）</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>担当者</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>チャット数</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>未応答</translation>
    </message>
    <message>
        <source>First response, median</source>
        <translation>初回応答（中央値）</translation>
    </message>
    <message>
        <source>First response, 90%</source>
        <translation>初回応答（90%）</translation>
    </message>
    <message>
        <source>Duration, median</source>
        <translation>所要時間（中央値）</translation>
    </message>
    <message>
        <source>Duration, 90%</source>
        <translation>所要時間（90%）</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>良い</translation>
    </message>
    <message>
        <source>Bad</source>
        <translation>悪い</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>高評価率</translation>
    </message>
    <message>
        <source>Video calls</source>
        <translation>ビデオ通話</translation>
    </message>
    <message>
        <source>Greeting</source>
        <translation>あいさつ</translation>
    </message>
    <message>
        <source>Shown</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>応答</translation>
    </message>
    <message>
        <source>Acceptance rate</source>
        <translation>応答率</translation>
    </message>
    <message>
        <source>Manual invitations</source>
        <translation>手動の招待</translation>
    </message>
    <message>
        <source>(deleted rule)</source>
        <translation>（削除されたルール）</translation>
    </message>
    <message>
        <source>Rated at</source>
        <translation>評価日時</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>評価</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>コメント</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <source>No breakdown</source>
        <translation>内訳なし</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>担当者</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>Load the report of these days</source>
        <translation>この期間のレポートを読み込みます</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>CSV に書き出す(&amp;E)…</translation>
    </message>
    <message>
        <source>Save the tables of this report as a CSV file</source>
        <translation>このレポートの表を CSV ファイルに保存します</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>開始日(&amp;F)</translation>
    </message>
    <message>
        <source>Sho&amp;w</source>
        <translation>表示(&amp;W)</translation>
    </message>
    <message>
        <source>To</source>
        <translation>終了日</translation>
    </message>
    <message>
        <source>&amp;By</source>
        <translation>内訳(&amp;B)</translation>
    </message>
    <message>
        <source>Loading the report…</source>
        <translation>レポートを読み込んでいます…</translation>
    </message>
    <message>
        <source>No closed chats in these days.</source>
        <translation>この期間に終了したチャットはありません。</translation>
    </message>
    <message>
        <source>Chats by hour of day</source>
        <translation>時間帯別のチャット数</translation>
    </message>
    <message>
        <source>Chats by weekday</source>
        <translation>曜日別のチャット数</translation>
    </message>
    <message>
        <source>Greetings: shown and accepted</source>
        <translation>あいさつ：表示数と応答数</translation>
    </message>
    <message>
        <source>Latest rating comments</source>
        <translation>最近の評価コメント</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>チャット数</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Missed chats</source>
        <translation>未応答のチャット</translation>
    </message>
    <message>
        <source>First response (median)</source>
        <translation>初回応答（中央値）</translation>
    </message>
    <message>
        <source>Chat duration (median)</source>
        <translation>チャットの所要時間（中央値）</translation>
    </message>
    <message>
        <source>Rated good</source>
        <translation>高評価率</translation>
    </message>
    <message>
        <source>Video calls</source>
        <translation>ビデオ通話</translation>
    </message>
    <message>
        <source>The first day is after the last day.</source>
        <translation>開始日が終了日より後になっています。</translation>
    </message>
    <message>
        <source>A report covers at most %1 days.</source>
        <translation>レポートの期間は最長 %1 日です。</translation>
    </message>
    <message>
        <source>The report could not be loaded: %1</source>
        <translation>レポートを読み込めませんでした：%1</translation>
    </message>
    <message>
        <source>%1 to %2 · days and hours in the team&apos;s time zone, %3</source>
        <translation>%1 〜 %2 ・日付と時刻はチームのタイムゾーン（%3）</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>時間帯</translation>
    </message>
    <message>
        <source>Weekday</source>
        <translation>曜日</translation>
    </message>
    <message>
        <source>Figures</source>
        <translation>主な数値</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>項目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>詳細</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>レポートを書き出す</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV ファイル (*.csv)</translation>
    </message>
    <message>
        <source>The report was not saved: %1</source>
        <translation>レポートを保存できませんでした：%1</translation>
    </message>
    <message>
        <source>Report saved to %1</source>
        <translation>レポートを %1 に保存しました</translation>
    </message>
</context>
<context>
    <name>RoutingPage</name>
    <message>
        <source>&amp;Assign waiting chats to agents automatically</source>
        <translation>待機中のチャットをオペレーターに自動で割り当てる(&amp;A)</translation>
    </message>
    <message>
        <source> chats</source>
        <translation> 件</translation>
    </message>
    <message>
        <source>For agents without a limit of their own</source>
        <translation>個別の上限が設定されていないオペレーターに適用されます</translation>
    </message>
    <message>
        <source>&amp;Reassign an unanswered chat after</source>
        <translation>未応答のチャットを再割り当てするまでの時間(&amp;R)</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Routing and queue</source>
        <translation>ルーティングと待機列</translation>
    </message>
    <message>
        <source>Default chat &amp;limit per agent</source>
        <translation>オペレーターごとの既定の同時対応上限(&amp;L)</translation>
    </message>
    <message>
        <source>Waiting time turns &amp;orange after</source>
        <translation>待ち時間をオレンジ色にするまでの時間(&amp;O)</translation>
    </message>
    <message>
        <source>Waiting time turns r&amp;ed after</source>
        <translation>待ち時間を赤色にするまでの時間(&amp;E)</translation>
    </message>
    <message>
        <source>Re&amp;mind agents of waiting chats every</source>
        <translation>待機中のチャットをオペレーターに再通知する間隔(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Close a chat when nobody wrote for</source>
        <translation>やり取りのないチャットを終了するまでの時間(&amp;C)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分</translation>
    </message>
    <message>
        <source>Set an agent &amp;away after idle for</source>
        <translation>操作のないオペレーターを離席中にするまでの時間(&amp;A)</translation>
    </message>
    <message>
        <source>Inactivity</source>
        <translation>無操作時の処理</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 日</translation>
    </message>
    <message>
        <source>Visitor history</source>
        <translation>訪問者の履歴</translation>
    </message>
    <message>
        <source>&amp;Keep the pages visitors viewed for</source>
        <translation>訪問者の閲覧ページの保存期間(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Delete closed chats after</source>
        <translation>終了したチャットを削除するまでの期間(&amp;D)</translation>
    </message>
    <message>
        <source>Unticked: closed chats are kept. Ticked: older ones are deleted with their notes and tags.</source>
        <translation>チェックなし: 終了したチャットは保存されます。チェックあり: 期間を過ぎたチャットは社内メモやタグと共に削除されます。</translation>
    </message>
    <message>
        <source>e.g. 1.2</source>
        <translation>例: 1.2</translation>
    </message>
    <message>
        <source>e.g. 1.4.0</source>
        <translation>例: 1.4.0</translation>
    </message>
    <message>
        <source>Operator app versions</source>
        <translation>オペレーターアプリのバージョン</translation>
    </message>
    <message>
        <source>Older apps may not sign in &amp;below</source>
        <translation>サインインを許可しないバージョン（これ未満）(&amp;B)</translation>
    </message>
    <message>
        <source>Apps show an update &amp;available below</source>
        <translation>アップデートを通知するバージョン（これ未満）(&amp;A)</translation>
    </message>
    <message>
        <source>Installers are &amp;published at</source>
        <translation>インストーラーの公開先(&amp;P)</translation>
    </message>
    <message>
        <source>Unticked timeouts are off.</source>
        <translation>チェックを外したタイムアウトは無効になります。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Routing and timeouts</source>
        <translation>ルーティングとタイムアウト</translation>
    </message>
    <message>
        <source>The download link must start with https:// or http://.</source>
        <translation>ダウンロードリンクは https:// または http:// で始まる必要があります。</translation>
    </message>
    <message>
        <source>Write versions as numbers with dots, such as 1.4 or 1.4.2.</source>
        <translation>バージョンは 1.4 や 1.4.2 のように数字とドットで入力してください。</translation>
    </message>
    <message>
        <source>The minimum version must not be above the latest version.</source>
        <translation>最低バージョンは最新バージョンより新しくできません。</translation>
    </message>
    <message>
        <source>Red must come later than orange: make the second waiting time longer.</source>
        <translation>赤色にするまでの時間は、オレンジ色にするまでの時間より長くしてください。</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>設定を保存しました。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Sounds</source>
        <translation>サウンド</translation>
    </message>
    <message>
        <source>&amp;Mute all sounds</source>
        <translation>すべてのサウンドを消音(&amp;M)</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>試聴(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Volume:</source>
        <translation>音量(&amp;V):</translation>
    </message>
    <message>
        <source>Play a sound for:</source>
        <translation>サウンドを鳴らす場面:</translation>
    </message>
    <message>
        <source>A new chat in the &amp;queue</source>
        <translation>待機列に新しいチャット(&amp;Q)</translation>
    </message>
    <message>
        <source>A &amp;new message from a visitor</source>
        <translation>訪問者からの新しいメッセージ(&amp;N)</translation>
    </message>
    <message>
        <source>A chat &amp;transferred or assigned to me</source>
        <translation>自分へのチャットの転送・割り当て(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Reminders while a chat waits in the queue</source>
        <translation>待機中のチャットのリマインダー(&amp;R)</translation>
    </message>
    <message>
        <source>General</source>
        <translation>全般</translation>
    </message>
    <message>
        <source>Show &amp;desktop notifications</source>
        <translation>デスクトップ通知を表示(&amp;D)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>システムの設定</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>言語(&amp;L):</translation>
    </message>
    <message>
        <source>The new language is used from the next start of the app.</source>
        <translation>新しい言語は次回の起動時から使われます。</translation>
    </message>
    <message>
        <source>Team setting</source>
        <translation>チームの設定</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分</translation>
    </message>
    <message>
        <source>Minutes without keyboard or mouse input before you are set to away; 0 uses the team&apos;s setting.</source>
        <translation>キーボードやマウスの操作がないまま、この分数が過ぎると離席中になります。0 ではチームの設定を使います。</translation>
    </message>
    <message>
        <source>Set me &amp;away after:</source>
        <translation>離席中にするまでの時間(&amp;A):</translation>
    </message>
    <message>
        <source>Video calls</source>
        <translation>ビデオ通話</translation>
    </message>
    <message>
        <source>&amp;Camera:</source>
        <translation>カメラ(&amp;C):</translation>
    </message>
    <message>
        <source>&amp;Microphone:</source>
        <translation>マイク(&amp;M):</translation>
    </message>
    <message>
        <source>Used from the next call. A device that is missing then falls back to the default.</source>
        <translation>次の通話から使われます。その時点で見つからない機器は既定の機器に置き換わります。</translation>
    </message>
    <message>
        <source>&amp;Output:</source>
        <translation>出力先(&amp;O):</translation>
    </message>
</context>
<context>
    <name>SidePane</name>
    <message>
        <source>No chats yet. Take one from the queue.</source>
        <translation>担当中のチャットはありません。待機列から引き受けてください。</translation>
    </message>
    <message>
        <source>My chats</source>
        <translation>担当中のチャット</translation>
    </message>
    <message>
        <source>Take chat</source>
        <translation>引き受ける</translation>
    </message>
    <message>
        <source>Take the selected chat, or the one waiting longest (Ctrl+T)</source>
        <translation>選択中のチャット、または最も長く待っているチャットを引き受けます (Ctrl+T)</translation>
    </message>
    <message>
        <source>Nobody is waiting.</source>
        <translation>待っている訪問者はいません。</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>待機列</translation>
    </message>
    <message>
        <source>My chats (%1)</source>
        <translation>担当中のチャット (%1)</translation>
    </message>
    <message>
        <source>Queue (%1)</source>
        <translation>待機列 (%1)</translation>
    </message>
</context>
<context>
    <name>SitesPage</name>
    <message>
        <source>&amp;New site</source>
        <translation>新しいサイト(&amp;N)</translation>
    </message>
    <message>
        <source>One address a line, like https://www.example.com (scheme, host and port only). The chat widget and page push work only on these.</source>
        <translation>1 行に 1 つ、https://www.example.com のように入力します（スキーム、ホスト、ポートのみ）。チャットウィジェットとページ送信は、これらのアドレスでのみ動作します。</translation>
    </message>
    <message>
        <source>Tickets left through this site&apos;s offline form go to this group.</source>
        <translation>このサイトのオフラインフォームから届いたチケットはこのグループに入ります。</translation>
    </message>
    <message>
        <source>&amp;Save site</source>
        <translation>サイトを保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>コピー(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名前(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Allowed origins</source>
        <translation>許可するオリジン(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Tickets go to</source>
        <translation>チケットの割り当て先(&amp;T)</translation>
    </message>
    <message>
        <source>Embed code</source>
        <translation>埋め込みコード</translation>
    </message>
    <message>
        <source>Sites</source>
        <translation>サイト</translation>
    </message>
    <message>
        <source>No group (every agent)</source>
        <translation>グループなし（全エージェント）</translation>
    </message>
    <message>
        <source>No sites yet. Add the website that embeds the chat widget.</source>
        <translation>サイトはまだありません。チャットウィジェットを埋め込む Web サイトを追加してください。</translation>
    </message>
    <message>
        <source>Save the site to get its embed code.</source>
        <translation>サイトを保存すると埋め込みコードが表示されます。</translation>
    </message>
    <message>
        <source>&amp;Create site</source>
        <translation>サイトを作成(&amp;C)</translation>
    </message>
    <message>
        <source>The embed code is on the clipboard.</source>
        <translation>埋め込みコードをクリップボードにコピーしました。</translation>
    </message>
    <message>
        <source>Enter the site&apos;s name.</source>
        <translation>サイト名を入力してください。</translation>
    </message>
    <message>
        <source>At most %1 origins per site.</source>
        <translation>1 サイトに登録できるオリジンは %1 件までです。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>保存しました。</translation>
    </message>
</context>
<context>
    <name>SneakPeekLabel</name>
    <message>
        <source>Visitor is typing:</source>
        <translation>訪問者が入力中:</translation>
    </message>
</context>
<context>
    <name>SpamMarkRow</name>
    <message>
        <source>Mark as spam…</source>
        <translation>スパムとしてマーク…</translation>
    </message>
    <message>
        <source>The visitor will not be able to start a chat or leave an offline message.</source>
        <translation>訪問者はチャットを開始することも、オフラインメッセージを残すこともできなくなります。</translation>
    </message>
    <message>
        <source>Not spam…</source>
        <translation>スパムではない…</translation>
    </message>
    <message>
        <source>Take the spam mark back: the visitor can chat again.</source>
        <translation>スパムのマークを取り消します。訪問者は再びチャットできます。</translation>
    </message>
    <message>
        <source>Only a supervisor, an admin or the agent who set the mark can take it back.</source>
        <translation>マークを取り消せるのは、スーパーバイザー、管理者、またはマークしたオペレーターだけです。</translation>
    </message>
    <message>
        <source>Marked as spam by %1 (%2): no new chats or offline messages.</source>
        <translation>%1 がスパムとしてマーク (%2)：新しいチャットとオフラインメッセージは受け付けません。</translation>
    </message>
    <message>
        <source>Marked as spam (%1): no new chats or offline messages.</source>
        <translation>スパムとしてマーク済み (%1)：新しいチャットとオフラインメッセージは受け付けません。</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>スパムとしてマーク</translation>
    </message>
    <message>
        <source>Mark this visitor as spam? They will not be able to start a new chat or leave an offline message until the mark is taken back. A chat already open goes on. The change is logged.</source>
        <translation>この訪問者をスパムとしてマークしますか？マークが取り消されるまで、新しいチャットの開始やオフラインメッセージの送信はできなくなります。すでに開いているチャットは続きます。この変更は記録されます。</translation>
    </message>
    <message>
        <source>Not spam</source>
        <translation>スパムではない</translation>
    </message>
    <message>
        <source>Take the mark back</source>
        <translation>マークを取り消す</translation>
    </message>
    <message>
        <source>Take the spam mark back? The visitor will be able to start chats and leave offline messages again. The change is logged.</source>
        <translation>スパムのマークを取り消しますか？訪問者は再びチャットを開始し、オフラインメッセージを残せるようになります。この変更は記録されます。</translation>
    </message>
</context>
<context>
    <name>StatusSwitch</name>
    <message>
        <source>Accepting chats</source>
        <translation>受付中</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>離席中</translation>
    </message>
    <message>
        <source>You were away, so no new chats are offered to you. Click to start accepting.</source>
        <translation>離席中のため、新しいチャットは割り当てられません。クリックすると受付を開始します。</translation>
    </message>
    <message>
        <source>Not accepting chats</source>
        <translation>受付停止中</translation>
    </message>
    <message>
        <source>New chats are offered to you. Click to stop accepting.</source>
        <translation>新しいチャットが割り当てられます。クリックすると受付を停止します。</translation>
    </message>
    <message>
        <source>No new chats are offered to you. Click to start accepting.</source>
        <translation>新しいチャットは割り当てられません。クリックすると受付を開始します。</translation>
    </message>
</context>
<context>
    <name>SupervisedChatsModel</name>
    <message>
        <source>Agent</source>
        <translation>担当者</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>待ち時間</translation>
    </message>
    <message>
        <source>(queued)</source>
        <translation>(キュー待ち)</translation>
    </message>
</context>
<context>
    <name>SupervisionView</name>
    <message>
        <source>No teammate has an open chat right now.</source>
        <translation>現在、対応中のチームメンバーのチャットはありません。</translation>
    </message>
    <message>
        <source>The supervised chats could not be loaded.</source>
        <translation>監督対象のチャットを読み込めませんでした。</translation>
    </message>
</context>
<context>
    <name>TagsPage</name>
    <message>
        <source>&amp;New tag</source>
        <translation>新しいタグ(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>削除(&amp;D)…</translation>
    </message>
    <message>
        <source>e.g. Returns</source>
        <translation>例: 返品</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>赤</translation>
    </message>
    <message>
        <source>Orange</source>
        <translation>オレンジ</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>黄</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>緑</translation>
    </message>
    <message>
        <source>Teal</source>
        <translation>青緑</translation>
    </message>
    <message>
        <source>Blue</source>
        <translation>青</translation>
    </message>
    <message>
        <source>Indigo</source>
        <translation>藍</translation>
    </message>
    <message>
        <source>Purple</source>
        <translation>紫</translation>
    </message>
    <message>
        <source>Pink</source>
        <translation>ピンク</translation>
    </message>
    <message>
        <source>Grey</source>
        <translation>グレー</translation>
    </message>
    <message>
        <source>&amp;Other colour…</source>
        <translation>その他の色(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save tag</source>
        <translation>タグを保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名前(&amp;N)</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>色</translation>
    </message>
    <message>
        <source>&amp;Require a tag before a chat is closed</source>
        <translation>チャットの終了前にタグを必須にする(&amp;R)</translation>
    </message>
    <message>
        <source>Agents must put at least one tag on a chat before they can close it.</source>
        <translation>エージェントはチャットにタグを 1 つ以上付けないと終了できません。</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>No tags yet. Create one, such as Returns or VIP, for agents to put on chats.</source>
        <translation>タグはまだありません。「返品」や「VIP」など、エージェントがチャットに付けるタグを作成してください。</translation>
    </message>
    <message>
        <source>&amp;Create tag</source>
        <translation>タグを作成(&amp;C)</translation>
    </message>
    <message>
        <source>Enter the tag&apos;s name.</source>
        <translation>タグの名前を入力してください。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>保存しました。</translation>
    </message>
    <message>
        <source>Delete tag</source>
        <translation>タグを削除</translation>
    </message>
    <message>
        <source>Delete the tag %1? It is taken off every chat that has it, closed chats too.</source>
        <translation>タグ %1 を削除しますか？終了済みのチャットを含め、このタグが付いたすべてのチャットから外されます。</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>The tag %1 was deleted.</source>
        <translation>タグ %1 を削除しました。</translation>
    </message>
    <message>
        <source>Agents must now tag a chat before closing it.</source>
        <translation>エージェントはチャットを終了する前にタグを付ける必要があります。</translation>
    </message>
    <message>
        <source>Agents may close chats without a tag.</source>
        <translation>エージェントはタグなしでチャットを終了できます。</translation>
    </message>
</context>
<context>
    <name>TeamModel</name>
    <message>
        <source>Accepting</source>
        <translation>受付中</translation>
    </message>
    <message>
        <source>Not accepting</source>
        <translation>受付停止中</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>離席中</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 時間 %2 分</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>ステータス</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>対応数</translation>
    </message>
    <message>
        <source>Chats today</source>
        <translation>本日のチャット</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>応答済み</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>初回応答</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>Open chats now / the agent&apos;s chat limit</source>
        <translation>現在対応中のチャット数 / オペレーターの同時対応上限</translation>
    </message>
    <message>
        <source>Chats the agent took or was given since midnight</source>
        <translation>本日 0 時以降にオペレーターが引き受けた、または割り当てられたチャット数</translation>
    </message>
    <message>
        <source>Of those, chats the agent replied to</source>
        <translation>そのうち、オペレーターが返信したチャット数</translation>
    </message>
    <message>
        <source>Average time to the agent&apos;s first reply today</source>
        <translation>本日のオペレーターの初回返信までの平均時間</translation>
    </message>
</context>
<context>
    <name>TeamView</name>
    <message>
        <source>&amp;Refresh</source>
        <translation>更新(&amp;R)</translation>
    </message>
    <message>
        <source>Load the team again (it also reloads every 10 seconds)</source>
        <translation>チームを再読み込みします（10 秒ごとにも自動で更新されます）</translation>
    </message>
    <message>
        <source>Set &amp;status</source>
        <translation>ステータスを変更(&amp;S)</translation>
    </message>
    <message>
        <source>Change the selected agent&apos;s status</source>
        <translation>選択したオペレーターのステータスを変更します</translation>
    </message>
    <message>
        <source>&amp;Training results…</source>
        <translation>研修の成績(&amp;T)…</translation>
    </message>
    <message>
        <source>How the trainees of your groups did on scripted visitors</source>
        <translation>グループの研修生が練習用の訪問者にどう対応したか</translation>
    </message>
    <message>
        <source>Loading the team…</source>
        <translation>チームを読み込んでいます…</translation>
    </message>
    <message>
        <source>No agents to show: nobody is in your groups yet.</source>
        <translation>表示するオペレーターがいません。あなたのグループにはまだメンバーがいません。</translation>
    </message>
    <message>
        <source>&amp;Accepting</source>
        <translation>受付中(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Not accepting</source>
        <translation>受付停止中(&amp;N)</translation>
    </message>
    <message>
        <source>A&amp;way</source>
        <translation>離席中(&amp;W)</translation>
    </message>
    <message>
        <source>The team could not be loaded: %1</source>
        <translation>チームを読み込めませんでした: %1</translation>
    </message>
    <message>
        <source>%1 agents, %2 online · updated at %3</source>
        <translation>オペレーター %1 人、オンライン %2 人 · %3 に更新</translation>
    </message>
    <message>
        <source>%1 is now: %2</source>
        <translation>%1 のステータスを「%2」に変更しました</translation>
    </message>
    <message>
        <source>%1&apos;s status was not changed: they are not in your groups.</source>
        <translation>%1 のステータスは変更されませんでした。あなたのグループのメンバーではありません。</translation>
    </message>
    <message>
        <source>%1&apos;s status was not changed: you may not change it.</source>
        <translation>%1 のステータスは変更されませんでした。変更する権限がありません。</translation>
    </message>
    <message>
        <source>%1&apos;s status was not changed: %2</source>
        <translation>%1 のステータスは変更されませんでした: %2</translation>
    </message>
</context>
<context>
    <name>TemporaryPasswordDialog</name>
    <message>
        <source>Temporary password</source>
        <translation>仮パスワード</translation>
    </message>
    <message>
        <source>The temporary password of %1 is shown only now. Pass it on securely (in person or by phone, not in the same e-mail as the address). They must choose their own password when they sign in.</source>
        <translation>%1 の仮パスワードは今回しか表示されません。安全な方法で伝えてください（対面や電話など。アドレスを知らせるメールと同じメールでは送らないでください）。本人はサインイン時に自分のパスワードを設定する必要があります。</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>コピー(&amp;C)</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>クリップボードにコピーしました。</translation>
    </message>
</context>
<context>
    <name>TicketComposer</name>
    <message>
        <source>&amp;Reply (e-mailed)</source>
        <translation>返信 (メール送信)(&amp;R)</translation>
    </message>
    <message>
        <source>Internal n&amp;ote</source>
        <translation>社内メモ(&amp;O)</translation>
    </message>
    <message>
        <source>Reply text</source>
        <translation>返信の本文</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>送信(&amp;S)</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>送信 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Send and mark &amp;pending</source>
        <translation>送信して保留にする(&amp;P)</translation>
    </message>
    <message>
        <source>Send and mark sol&amp;ved</source>
        <translation>送信して解決済みにする(&amp;V)</translation>
    </message>
    <message>
        <source>An internal note: agents read it, the visitor never does</source>
        <translation>社内メモ: オペレーターだけが読み、訪問者には表示されません</translation>
    </message>
    <message>
        <source>Your answer, e-mailed to the requester (Ctrl+Enter sends)</source>
        <translation>依頼者にメールで送る回答 (Ctrl+Enter で送信)</translation>
    </message>
</context>
<context>
    <name>TicketModel</name>
    <message>
        <source>Open</source>
        <translation>未対応</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>保留中</translation>
    </message>
    <message>
        <source>Solved</source>
        <translation>解決済み</translation>
    </message>
    <message>
        <source>Spam</source>
        <translation>スパム</translation>
    </message>
    <message>
        <source>Unknown visitor</source>
        <translation>不明な訪問者</translation>
    </message>
    <message>
        <source>%1 (awaiting reply)</source>
        <translation>%1 (返信待ち)</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未割り当て</translation>
    </message>
    <message>
        <source>Someone</source>
        <translation>誰か</translation>
    </message>
    <message>
        <source>%1 set the state to %2</source>
        <translation>%1 が状態を「%2」にしました</translation>
    </message>
    <message>
        <source>%1 assigned the ticket to %2</source>
        <translation>%1 が担当者を %2 にしました</translation>
    </message>
    <message>
        <source>%1 unassigned the ticket</source>
        <translation>%1 が担当者を外しました</translation>
    </message>
    <message>
        <source>another group</source>
        <translation>別のグループ</translation>
    </message>
    <message>
        <source>%1 moved the ticket to %2</source>
        <translation>%1 がグループを %2 に変更しました</translation>
    </message>
    <message>
        <source>%1 removed the ticket&apos;s group</source>
        <translation>%1 がグループを外しました</translation>
    </message>
    <message>
        <source>%1 merged ticket %2</source>
        <translation>%1 がチケット %2 を統合しました</translation>
    </message>
</context>
<context>
    <name>TicketThreadPane</name>
    <message>
        <source>Assignee</source>
        <translation>担当者</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Mark the ticket and its visitor as spam</source>
        <translation>チケットとその訪問者をスパムにする</translation>
    </message>
    <message>
        <source>Spa&amp;m</source>
        <translation>スパム(&amp;M)</translation>
    </message>
    <message>
        <source>Merge &amp;into…</source>
        <translation>統合(&amp;I)…</translation>
    </message>
    <message>
        <source>Merge this ticket into another one by its number</source>
        <translation>このチケットを番号で指定した別のチケットに統合する</translation>
    </message>
    <message>
        <source>&amp;Assignee:</source>
        <translation>担当者(&amp;A):</translation>
    </message>
    <message>
        <source>&amp;Group:</source>
        <translation>グループ(&amp;G):</translation>
    </message>
    <message>
        <source>S&amp;tate:</source>
        <translation>状態(&amp;T):</translation>
    </message>
    <message>
        <source>Choose a ticket to read it.</source>
        <translation>チケットを選ぶと内容が表示されます。</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未割り当て</translation>
    </message>
    <message>
        <source>Me</source>
        <translation>自分</translation>
    </message>
    <message>
        <source>No group</source>
        <translation>グループなし</translation>
    </message>
    <message>
        <source>Nothing in this ticket yet.</source>
        <translation>このチケットにはまだ何もありません。</translation>
    </message>
    <message>
        <source>Visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>Internal note by %1</source>
        <translation>%1 の社内メモ</translation>
    </message>
    <message>
        <source>Chat transcript</source>
        <translation>チャットの記録</translation>
    </message>
    <message>
        <source>E-mail failed: %1</source>
        <translation>メール送信失敗: %1</translation>
    </message>
    <message>
        <source>unknown reason</source>
        <translation>原因不明</translation>
    </message>
    <message>
        <source>E-mail sent</source>
        <translation>メール送信済み</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>送信中…</translation>
    </message>
    <message>
        <source>attachment</source>
        <translation>添付ファイル</translation>
    </message>
    <message>
        <source>Attachment: %1 (%2)</source>
        <translation>添付ファイル: %1 (%2)</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>名前を付けて保存…</translation>
    </message>
    <message>
        <source>Save %1 as</source>
        <translation>%1 を名前を付けて保存</translation>
    </message>
    <message>
        <source>Save the attachment</source>
        <translation>添付ファイルを保存</translation>
    </message>
    <message>
        <source>Mark as spam</source>
        <translation>スパムにする</translation>
    </message>
    <message>
        <source>Ticket #%1 and its visitor will be marked as spam.</source>
        <translation>チケット #%1 とその訪問者をスパムにします。</translation>
    </message>
    <message>
        <source>Ticket #%1 goes into ticket #%2: its messages are copied there and it is solved.</source>
        <translation>チケット #%1 をチケット #%2 に統合します。メッセージは #%2 にコピーされ、#%1 は解決済みになります。</translation>
    </message>
    <message>
        <source>Merge tickets</source>
        <translation>チケットの統合</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>統合</translation>
    </message>
</context>
<context>
    <name>TicketsEntry</name>
    <message>
        <source>Answer offline messages and e-mails (Ctrl+Shift+K)</source>
        <translation>オフラインメッセージやメールに回答 (Ctrl+Shift+K)</translation>
    </message>
    <message>
        <source>Create tic&amp;ket from this chat…</source>
        <translation>このチャットからチケットを作成(&amp;K)…</translation>
    </message>
    <message>
        <source>Tic&amp;kets (%1 open)</source>
        <translation>チケット (未対応 %1)(&amp;K)</translation>
    </message>
    <message>
        <source>Tic&amp;kets</source>
        <translation>チケット(&amp;K)</translation>
    </message>
    <message>
        <source>Ticket #%1 created.</source>
        <translation>チケット #%1 を作成しました。</translation>
    </message>
    <message>
        <source>Ticket created</source>
        <translation>チケットを作成しました</translation>
    </message>
    <message>
        <source>Ticket #%1 was made from this chat. Open it now?</source>
        <translation>このチャットからチケット #%1 を作成しました。今すぐ開きますか？</translation>
    </message>
    <message>
        <source>&amp;Open ticket</source>
        <translation>チケットを開く(&amp;O)</translation>
    </message>
</context>
<context>
    <name>TicketsView</name>
    <message>
        <source>Ticket states</source>
        <translation>チケットの状態</translation>
    </message>
    <message>
        <source>Whose tickets</source>
        <translation>担当で絞り込み</translation>
    </message>
    <message>
        <source>All tickets</source>
        <translation>すべてのチケット</translation>
    </message>
    <message>
        <source>Assigned to me</source>
        <translation>自分の担当</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未割り当て</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>Every group</source>
        <translation>すべてのグループ</translation>
    </message>
    <message>
        <source>Subject, requester or #number</source>
        <translation>件名、依頼者、または #番号</translation>
    </message>
    <message>
        <source>Search tickets</source>
        <translation>チケットを検索</translation>
    </message>
    <message>
        <source>&amp;New ticket…</source>
        <translation>新しいチケット(&amp;N)…</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>チケット</translation>
    </message>
    <message>
        <source>&amp;Load more</source>
        <translation>さらに読み込む(&amp;L)</translation>
    </message>
    <message>
        <source>The tickets could not be loaded: %1</source>
        <translation>チケットを読み込めませんでした: %1</translation>
    </message>
    <message>
        <source>No tickets.</source>
        <translation>チケットはありません。</translation>
    </message>
    <message>
        <source>Try other words or fewer filters.</source>
        <translation>別の言葉を試すか、絞り込みを減らしてください。</translation>
    </message>
    <message>
        <source>Nothing in this state.</source>
        <translation>この状態のチケットはありません。</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <source>Status</source>
        <translation>ステータス</translation>
    </message>
    <message>
        <source>Live Chat Operator</source>
        <translation>ライブチャット オペレーター</translation>
    </message>
</context>
<context>
    <name>Traffic</name>
    <message>
        <source>Visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>Visitor #%1</source>
        <translation>訪問者 #%1</translation>
    </message>
    <message>
        <source>browsing</source>
        <translation>閲覧中</translation>
    </message>
    <message>
        <source>invited</source>
        <translation>招待済み</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>待機中</translation>
    </message>
    <message>
        <source>chatting</source>
        <translation>チャット中</translation>
    </message>
    <message>
        <source>left</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>パソコン</translation>
    </message>
    <message>
        <source>Tablet</source>
        <translation>タブレット</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>スマートフォン</translation>
    </message>
    <message>
        <source>Unknown device</source>
        <translation>不明な端末</translation>
    </message>
    <message>
        <source>Direct</source>
        <translation>直接アクセス</translation>
    </message>
</context>
<context>
    <name>TrafficModel</name>
    <message>
        <source>Visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Current page</source>
        <translation>表示中のページ</translation>
    </message>
    <message>
        <source>Time on site</source>
        <translation>滞在時間</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>ページ数</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>訪問回数</translation>
    </message>
    <message>
        <source>Cart</source>
        <translation>カート</translation>
    </message>
    <message>
        <source>Language / location</source>
        <translation>言語・地域</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>端末</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>流入元</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>優先度</translation>
    </message>
</context>
<context>
    <name>TrafficView</name>
    <message>
        <source>Filter by name, e-mail, page, location or source</source>
        <translation>名前、メール、ページ、地域、流入元で絞り込み</translation>
    </message>
    <message>
        <source>Has a cart</source>
        <translation>カートあり</translation>
    </message>
    <message>
        <source>Returning</source>
        <translation>リピーター</translation>
    </message>
    <message>
        <source>Invite…</source>
        <translation>招待…</translation>
    </message>
    <message>
        <source>Invite the selected visitor to chat (Enter)</source>
        <translation>選択した訪問者をチャットに招待します（Enter）</translation>
    </message>
    <message>
        <source>Visitors on the website</source>
        <translation>サイト上の訪問者</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>すべての状態</translation>
    </message>
    <message>
        <source>%1 visitors</source>
        <translation>訪問者 %1 人</translation>
    </message>
    <message>
        <source>%1 of %2 visitors</source>
        <translation>訪問者 %2 人中 %1 人</translation>
    </message>
    <message>
        <source>No visitor matches these filters.</source>
        <translation>条件に一致する訪問者はいません。</translation>
    </message>
    <message>
        <source>Loading the visitors on the website…</source>
        <translation>サイト上の訪問者を読み込んでいます…</translation>
    </message>
    <message>
        <source>The list of visitors could not be loaded. It is tried again.</source>
        <translation>訪問者一覧を読み込めませんでした。自動的に再試行します。</translation>
    </message>
    <message>
        <source>Nobody is on the website right now.</source>
        <translation>現在サイトに訪問者はいません。</translation>
    </message>
</context>
<context>
    <name>TrainingMode</name>
    <message>
        <source>&amp;Training mode</source>
        <translation>研修モード(&amp;T)</translation>
    </message>
    <message>
        <source>Practise on scripted visitors; real visitors are not sent to you</source>
        <translation>練習用の訪問者で練習します。実際の訪問者は割り当てられません</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>研修中</translation>
    </message>
    <message>
        <source>Training mode: these visitors are scripted, nothing is reported</source>
        <translation>研修モード: 訪問者は練習用で、レポートには記録されません</translation>
    </message>
    <message>
        <source>Training mode: scripted visitors only</source>
        <translation>研修モード: 練習用の訪問者のみ</translation>
    </message>
    <message>
        <source>Training: Japanese</source>
        <translation>トレーニング：日本語</translation>
    </message>
    <message>
        <source>Training: English</source>
        <translation>トレーニング：英語</translation>
    </message>
</context>
<context>
    <name>TrainingResultsDialog</name>
    <message>
        <source>Training results</source>
        <translation>研修の成績</translation>
    </message>
    <message>
        <source>Trainee</source>
        <translation>研修生</translation>
    </message>
    <message>
        <source>In training</source>
        <translation>研修中</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>チャット数</translation>
    </message>
    <message>
        <source>Replies</source>
        <translation>返信</translation>
    </message>
    <message>
        <source>Canned replies</source>
        <translation>定型文</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>初回応答</translation>
    </message>
    <message>
        <source>Ratings (good / bad)</source>
        <translation>評価 (良い / 悪い)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>更新(&amp;R)</translation>
    </message>
    <message>
        <source>Loading the results…</source>
        <translation>成績を読み込んでいます…</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <source>Nobody in your groups has practised yet.</source>
        <translation>グループの中でまだ誰も練習していません。</translation>
    </message>
</context>
<context>
    <name>TranscriptFiles</name>
    <message>
        <source>View</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>開く</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>名前を付けて保存…</translation>
    </message>
    <message>
        <source>Loading image…</source>
        <translation>画像を読み込み中…</translation>
    </message>
    <message>
        <source>Save the file</source>
        <translation>ファイルを保存</translation>
    </message>
    <message>
        <source>This file cannot be opened from here; use “Save as…”.</source>
        <translation>このファイルはここから開けません。「名前を付けて保存…」を使ってください。</translation>
    </message>
    <message>
        <source>Open this file?</source>
        <translation>このファイルを開きますか？</translation>
    </message>
    <message>
        <source>“%1” may contain macros or scripts that can harm this computer. Open it only if you trust the sender and your security software is up to date.</source>
        <translation>「%1」には、このコンピューターに害を与えるマクロやスクリプトが含まれている可能性があります。送信者を信頼でき、セキュリティソフトが最新の場合にのみ開いてください。</translation>
    </message>
    <message>
        <source>Open anyway</source>
        <translation>それでも開く</translation>
    </message>
    <message>
        <source>No program on this computer opens this kind of file.</source>
        <translation>このコンピューターにはこの種類のファイルを開くプログラムがありません。</translation>
    </message>
</context>
<context>
    <name>TranscriptModel</name>
    <message>
        <source>an operator</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>The visitor is waiting in the queue</source>
        <translation>訪問者が待機列で待っています</translation>
    </message>
    <message>
        <source>Chat transferred from %1 to %2</source>
        <translation>チャットが %1 から %2 に転送されました</translation>
    </message>
    <message>
        <source>Chat assigned to %1</source>
        <translation>チャットが %1 に割り当てられました</translation>
    </message>
    <message>
        <source>Chat taken by %1</source>
        <translation>%1 がチャットを引き受けました</translation>
    </message>
    <message>
        <source>Chat closed after a period of inactivity</source>
        <translation>一定時間やり取りがなかったため、チャットが終了しました</translation>
    </message>
    <message>
        <source>The visitor closed the chat</source>
        <translation>訪問者がチャットを終了しました</translation>
    </message>
    <message>
        <source>Chat closed by %1</source>
        <translation>%1 がチャットを終了しました</translation>
    </message>
    <message>
        <source>Chat closed</source>
        <translation>チャットが終了しました</translation>
    </message>
    <message>
        <source>Chat started</source>
        <translation>チャットが開始されました</translation>
    </message>
    <message>
        <source>The visitor rated the chat as good</source>
        <translation>訪問者がこのチャットを「良い」と評価しました</translation>
    </message>
    <message>
        <source>The visitor rated the chat as bad</source>
        <translation>訪問者がこのチャットを「悪い」と評価しました</translation>
    </message>
    <message>
        <source>The visitor opened the page %1</source>
        <translation>訪問者がページ %1 を開きました</translation>
    </message>
    <message>
        <source>The visitor declined the page %1</source>
        <translation>訪問者がページ %1 を断りました</translation>
    </message>
    <message>
        <source>%2 offered the visitor the page %1</source>
        <translation>%2 が訪問者にページ %1 を案内しました</translation>
    </message>
    <message>
        <source>Video call started</source>
        <translation>ビデオ通話を開始しました</translation>
    </message>
    <message>
        <source>Video call declined</source>
        <translation>ビデオ通話が拒否されました</translation>
    </message>
    <message>
        <source>Missed video call</source>
        <translation>応答のなかったビデオ通話</translation>
    </message>
    <message>
        <source>Video call cancelled before it was answered</source>
        <translation>応答前にビデオ通話が取り消されました</translation>
    </message>
    <message>
        <source>Video call failed to connect</source>
        <translation>ビデオ通話の接続に失敗しました</translation>
    </message>
    <message>
        <source>Video call ended before it connected</source>
        <translation>接続前にビデオ通話が終了しました</translation>
    </message>
    <message>
        <source>Video call lost (connection failed) after %1</source>
        <translation>ビデオ通話が %1 で切断されました（接続失敗）</translation>
    </message>
    <message>
        <source>Video call ended after %1: the visitor reloaded the page</source>
        <translation>ビデオ通話が %1 で終了しました: 訪問者がページを再読み込みしました</translation>
    </message>
    <message>
        <source>Video call ended after %1: the connection was lost</source>
        <translation>ビデオ通話が %1 で終了しました: 接続が切れました</translation>
    </message>
    <message>
        <source>Video call ended after %1: the chat ended</source>
        <translation>ビデオ通話が %1 で終了しました: チャットが終了しました</translation>
    </message>
    <message>
        <source>Video call ended by the visitor after %1</source>
        <translation>訪問者がビデオ通話を終了しました（%1）</translation>
    </message>
    <message>
        <source>Video call ended by the operator after %1</source>
        <translation>オペレーターがビデオ通話を終了しました（%1）</translation>
    </message>
    <message>
        <source>Video call ended after %1</source>
        <translation>ビデオ通話が終了しました（%1）</translation>
    </message>
    <message>
        <source>File: %1 (%2)</source>
        <translation>ファイル：%1（%2）</translation>
    </message>
    <message>
        <source>Transferred from %1: %2</source>
        <translation>%1 から転送: %2</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <source>Transcript</source>
        <translation>会話履歴</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer chat</source>
        <translation>チャットの転送</translation>
    </message>
    <message>
        <source>Transfer the chat with %1 to:</source>
        <translation>%1 とのチャットの転送先:</translation>
    </message>
    <message>
        <source>Greyed-out colleagues cannot take a chat now: the reason is shown beside their name.</source>
        <translation>灰色の同僚は今はチャットを受けられません。理由は名前の横に表示されます。</translation>
    </message>
    <message>
        <source>Note for the colleague (only operators see it):</source>
        <translation>同僚へのメモ（オペレーターだけが見られます）:</translation>
    </message>
    <message>
        <source>What should they know? (optional)</source>
        <translation>伝えておきたいこと（任意）</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>転送</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Loading colleagues…</source>
        <translation>同僚を読み込み中…</translation>
    </message>
    <message>
        <source>There is nobody to transfer to.</source>
        <translation>転送できる相手がいません。</translation>
    </message>
    <message>
        <source>Transferring…</source>
        <translation>転送中…</translation>
    </message>
    <message>
        <source>The transfer was refused: %1 The chat stays with you.</source>
        <translation>転送は拒否されました: %1 チャットはあなたが引き続き担当します。</translation>
    </message>
</context>
<context>
    <name>TransferTargets</name>
    <message>
        <source>%1 of %2 chats</source>
        <translation>対応中 %1 / %2 件</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>away</source>
        <translation>離席中</translation>
    </message>
    <message>
        <source>not accepting chats</source>
        <translation>受付停止中</translation>
    </message>
    <message>
        <source>full</source>
        <translation>上限に達しています</translation>
    </message>
    <message>
        <source>group queue</source>
        <translation>グループの待ち行列</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Accepting chats</source>
        <translation>チャット受付中</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>離席中</translation>
    </message>
    <message>
        <source>Not accepting chats</source>
        <translation>チャット受付停止中</translation>
    </message>
    <message>
        <source>Live Chat Operator: %1</source>
        <translation>ライブチャット オペレーター: %1</translation>
    </message>
    <message>
        <source>%1 chats, %2 unread, %3 in the queue</source>
        <translation>チャット %1 件、未読 %2 件、待機列 %3 件</translation>
    </message>
</context>
<context>
    <name>UpdateBanner</name>
    <message>
        <source>Update available (version %1)</source>
        <translation>アップデートがあります（バージョン %1）</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>ダウンロード</translation>
    </message>
    <message>
        <source>This version of the app (%1) is too old for this server: version %2 or later is required.</source>
        <translation>このバージョンのアプリ（%1）はこのサーバーでは使用できません。バージョン %2 以降が必要です。</translation>
    </message>
    <message>
        <source>Install the new version from:</source>
        <translation>新しいバージョンのインストール元:</translation>
    </message>
    <message>
        <source>Ask your administrator for the new version.</source>
        <translation>新しいバージョンについては管理者にお問い合わせください。</translation>
    </message>
    <message>
        <source>You use version %1.</source>
        <translation>使用中のバージョン: %1</translation>
    </message>
</context>
<context>
    <name>UploadStrip</name>
    <message>
        <source>The file could not be read: %1</source>
        <translation>ファイルを読み取れませんでした：%1</translation>
    </message>
    <message>
        <source>Sending %p%</source>
        <translation>送信中 %p%</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>再試行</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Stop sending %1</source>
        <translation>%1 の送信を中止</translation>
    </message>
</context>
<context>
    <name>VideoMiniWindow</name>
    <message>
        <source>Video call</source>
        <translation>ビデオ通話</translation>
    </message>
    <message>
        <source>&amp;Restore</source>
        <translation>元に戻す(&amp;R)</translation>
    </message>
    <message>
        <source>Put the call back beside the chat.</source>
        <translation>通話をチャットの横に戻します。</translation>
    </message>
</context>
<context>
    <name>VideoWidget</name>
    <message>
        <source>Turn your microphone on or off.</source>
        <translation>マイクのオン/オフを切り替えます。</translation>
    </message>
    <message>
        <source>Turn your camera on or off.</source>
        <translation>カメラのオン/オフを切り替えます。</translation>
    </message>
    <message>
        <source>Mi&amp;nimise</source>
        <translation>最小化(&amp;N)</translation>
    </message>
    <message>
        <source>Move the video into a small window that stays on top.</source>
        <translation>映像を常に手前に表示される小さなウィンドウに移します。</translation>
    </message>
    <message>
        <source>&amp;Hang up</source>
        <translation>通話を終了(&amp;H)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Hide the call pane.</source>
        <translation>通話パネルを隠します。</translation>
    </message>
    <message>
        <source>Round trip %1 ms, packet loss %2 %</source>
        <translation>往復 %1 ms、パケットロス %2 %</translation>
    </message>
    <message>
        <source>&amp;Microphone on</source>
        <translation>マイク オン(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Microphone off</source>
        <translation>マイク オフ(&amp;M)</translation>
    </message>
    <message>
        <source>C&amp;amera on</source>
        <translation>カメラ オン(&amp;A)</translation>
    </message>
    <message>
        <source>C&amp;amera off</source>
        <translation>カメラ オフ(&amp;A)</translation>
    </message>
</context>
<context>
    <name>VisitorDataRow</name>
    <message>
        <source>Export data…</source>
        <translation>データを書き出す…</translation>
    </message>
    <message>
        <source>Save everything held about this visitor as a JSON file</source>
        <translation>この訪問者について保存しているすべてのデータを JSON ファイルに書き出します</translation>
    </message>
    <message>
        <source>Delete visitor…</source>
        <translation>訪問者を削除…</translation>
    </message>
    <message>
        <source>Delete this visitor with their chats and history</source>
        <translation>この訪問者をチャットと履歴ごと削除します</translation>
    </message>
    <message>
        <source>visitor</source>
        <translation>訪問者</translation>
    </message>
    <message>
        <source>Export the visitor&apos;s data</source>
        <translation>訪問者のデータを書き出す</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON ファイル (*.json)</translation>
    </message>
    <message>
        <source>Delete %1 and everything held about them: their chats with notes and tags, visits, pages viewed and offline messages? This cannot be undone. The deletion is logged.</source>
        <translation>%1 と、この訪問者について保存しているすべてのデータ（社内メモやタグを含むチャット、訪問、閲覧ページ、オフラインメッセージ）を削除しますか？元に戻すことはできません。削除は記録されます。</translation>
    </message>
    <message>
        <source>Delete visitor</source>
        <translation>訪問者を削除</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
</context>
<context>
    <name>VisitorSections</name>
    <message>
        <source>%1 pages</source>
        <translation>%1 ページ</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <source>open</source>
        <translation>対応中</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>項目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>価格</translation>
    </message>
</context>
<context>
    <name>VisitorSidebar</name>
    <message>
        <source>Visitor details</source>
        <translation>訪問者の詳細</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>再試行</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <source>Copy to the clipboard</source>
        <translation>クリップボードにコピー</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>メール</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>電話</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>タイムゾーン</translation>
    </message>
    <message>
        <source>Local time</source>
        <translation>現地時刻</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>地域</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>端末</translation>
    </message>
    <message>
        <source>Current page</source>
        <translation>表示中のページ</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>流入元</translation>
    </message>
    <message>
        <source>Referrer</source>
        <translation>参照元</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>訪問回数</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Visits and pages</source>
        <translation>訪問履歴と閲覧ページ</translation>
    </message>
    <message>
        <source>Previous chats (double-click to read)</source>
        <translation>過去のチャット（ダブルクリックで表示）</translation>
    </message>
    <message>
        <source>Custom data</source>
        <translation>カスタムデータ</translation>
    </message>
    <message>
        <source>Cart</source>
        <translation>カート</translation>
    </message>
    <message>
        <source>Select a chat or a visitor to see the details.</source>
        <translation>チャットまたは訪問者を選ぶと詳細が表示されます。</translation>
    </message>
    <message>
        <source>Loading the visitor…</source>
        <translation>訪問者の情報を読み込んでいます…</translation>
    </message>
    <message>
        <source>%1 (approximate)</source>
        <translation>%1（推定）</translation>
    </message>
    <message>
        <source>%1 (first %2)</source>
        <translation>%1 回（初回 %2）</translation>
    </message>
    <message>
        <source>Total: %1</source>
        <translation>合計: %1</translation>
    </message>
    <message>
        <source>Not on the website now</source>
        <translation>現在サイトにいません</translation>
    </message>
    <message>
        <source>This visitor and their data were deleted.</source>
        <translation>この訪問者とそのデータは削除されました。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>保存しました。</translation>
    </message>
</context>
<context>
    <name>WatchPanel</name>
    <message>
        <source>Stop watching</source>
        <translation>監視をやめる</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>参加</translation>
    </message>
    <message>
        <source>Join the chat to write to the visitor too</source>
        <translation>チャットに参加して訪問者にも書き込みます</translation>
    </message>
    <message>
        <source>Take over</source>
        <translation>引き継ぐ</translation>
    </message>
    <message>
        <source>Write to the visitor (Enter sends)</source>
        <translation>訪問者へのメッセージ (Enter で送信)</translation>
    </message>
    <message>
        <source>Whisper to the agent (the visitor does not see it)</source>
        <translation>担当者へのささやき (訪問者には表示されません)</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>担当者なし</translation>
    </message>
    <message>
        <source>%1 with %2</source>
        <translation>%1 (担当: %2)</translation>
    </message>
    <message>
        <source>The agent is typing…</source>
        <translation>担当者が入力中…</translation>
    </message>
    <message>
        <source>Take this chat over? It becomes yours and the agent is told.</source>
        <translation>このチャットを引き継ぎますか？ あなたの担当になり、担当者に通知されます。</translation>
    </message>
</context>
<context>
    <name>WindowDialogs</name>
    <message>
        <source>Your password was changed.</source>
        <translation>パスワードを変更しました。</translation>
    </message>
</context>
<context>
    <name>Workspaces</name>
    <message>
        <source>C&amp;ustomers on the website</source>
        <translation>サイト上の訪問者(&amp;U)</translation>
    </message>
    <message>
        <source>Show the visitors on the website (Ctrl+Shift+C)</source>
        <translation>サイト上の訪問者を表示します（Ctrl+Shift+C）</translation>
    </message>
    <message>
        <source>&amp;Chats</source>
        <translation>チャット(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Archives</source>
        <translation>アーカイブ(&amp;A)</translation>
    </message>
    <message>
        <source>Find closed chats and read them (Ctrl+Shift+R)</source>
        <translation>終了したチャットを検索して読みます (Ctrl+Shift+R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Supervised chats</source>
        <translation>監督中のチャット(&amp;S)</translation>
    </message>
    <message>
        <source>Watch your teammates&apos; chats (Ctrl+Shift+S)</source>
        <translation>チームメンバーのチャットを監視します (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>&amp;Team</source>
        <translation>チーム(&amp;T)</translation>
    </message>
    <message>
        <source>Your team&apos;s status, load and chats today (Ctrl+Shift+M)</source>
        <translation>チームのステータス、対応数、本日のチャットを表示します（Ctrl+Shift+M）</translation>
    </message>
    <message>
        <source>&amp;Reports</source>
        <translation>レポート(&amp;R)</translation>
    </message>
    <message>
        <source>Chats, response times, ratings and greetings over days (Ctrl+Shift+O)</source>
        <translation>期間ごとのチャット数・応答時間・評価・あいさつ (Ctrl+Shift+O)</translation>
    </message>
    <message>
        <source>Invitation sent to %1.</source>
        <translation>%1 さんに招待を送りました。</translation>
    </message>
</context>
<context>
    <name>_DeviceChoice</name>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1（未接続）</translation>
    </message>
</context>
</TS>
