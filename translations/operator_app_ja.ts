<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en_US">
<context>
    <name>AppController</name>
    <message>
        <source>You are signed in, but could not be remembered: no password keyring is available.</source>
        <translation>サインインしましたが、パスワードキーリングがないため、サインイン情報を保存できませんでした。</translation>
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
    <name>CustomersView</name>
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
        <source>The secure connection to the server failed: its certificate is not trusted. Ask your administrator for the certificate authority file.</source>
        <translation>サーバーとの安全な接続に失敗しました。サーバーの証明書が信頼されていません。管理者に認証局 (CA) ファイルを問い合わせてください。</translation>
    </message>
    <message>
        <source>This server uses a different version of the chat protocol. Please update the app.</source>
        <translation>このサーバーは異なるバージョンのチャットプロトコルを使用しています。アプリを更新してください。</translation>
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
    <name>MainWindow</name>
    <message>
        <source>Status</source>
        <translation>ステータス</translation>
    </message>
    <message>
        <source>Live Chat Operator</source>
        <translation>ライブチャット オペレーター</translation>
    </message>
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
    <message>
        <source>No unread messages.</source>
        <translation>未読のメッセージはありません。</translation>
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
    <name>SneakPeekLabel</name>
    <message>
        <source>Visitor is typing:</source>
        <translation>訪問者が入力中:</translation>
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
        <source>Invitation sent to %1.</source>
        <translation>%1 さんに招待を送りました。</translation>
    </message>
</context>
</TS>
