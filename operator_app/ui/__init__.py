"""Widgets, dialogs and windows. They read models and call services; they never touch the network."""
