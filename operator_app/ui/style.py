"""The main window's style sheet: quiet colours, clear hierarchy, status colours by property."""

MAIN_WINDOW_QSS = """
QMainWindow { background: #ffffff; }
QToolBar#topBar { background: #1f2937; border: none; padding: 4px; }
QToolBar#topBar QLabel { color: #e5e7eb; }
QLabel#productLabel { color: #ffffff; font-weight: bold; padding: 0 12px 0 2px; }
QLabel#agentLabel { color: #cbd5e1; border-left: 1px solid #4b5563; padding-left: 12px; }
QLabel#connectionState { padding: 3px 8px; border-radius: 10px; background: #374151; }
QToolBar#topBar QToolButton { color: #e5e7eb; padding: 3px 10px; border-radius: 10px; }
QToolBar#topBar QToolButton:checked { background: #2f6fdf; color: #ffffff; }
QWidget#customersView QTableView { selection-background-color: #2f6fdf; }
QLabel#customersEmpty { font-size: 13pt; color: #6b7280; }
QLabel#visitorCount { color: #4b5563; }
QLabel#connectionState[state="connected"] { color: #86efac; }
QLabel#connectionState[state="connecting"], QLabel#connectionState[state="reconnecting"] { color: #fcd34d; }
QLabel#connectionState[state="offline"] { color: #fca5a5; }
QPushButton#statusSwitch { padding: 4px 12px; border-radius: 12px; border: 1px solid #4b5563;
    color: #e5e7eb; background: #374151; }
QPushButton#statusSwitch[status="accepting"] { color: #052e16; background: #86efac; border-color: #4ade80; }
QPushButton#statusSwitch[status="away"] { color: #451a03; background: #fcd34d; border-color: #f59e0b; }
QPushButton#statusSwitch:disabled { color: #9ca3af; }
QWidget#sidePane { background: #f6f7f9; }
QWidget#sidePane QListView { background: #f6f7f9; }
QLabel.sectionHeader { color: #4b5563; font-weight: bold; padding: 10px 12px 4px 12px; }
QPushButton#takeButton { padding: 3px 10px; }
QWidget#chatHeader { border-bottom: 1px solid #e5e7eb; }
QLabel#chatTitle { font-size: 12pt; font-weight: bold; color: #111827; }
QLabel#chatSubtitle { color: #6b7280; }
QLabel#emptyTitle { font-size: 14pt; color: #4b5563; }
QLabel#emptyHint { color: #8a9099; }
QLabel#sneakPeekLabel { color: #6b7280; font-style: italic; }
QWidget#composerArea { border-top: 1px solid #e5e7eb; }
QPlainTextEdit#composer { border: 1px solid #d1d5db; border-radius: 6px; padding: 4px; }
QPlainTextEdit#composer:focus { border-color: #2f6fdf; }
QPushButton#sendButton { padding: 6px 16px; }
QSplitter::handle { background: #e5e7eb; }
QStatusBar QLabel#errorMessage { color: #b91c1c; }
"""
