"""The returnee hotline bot: settings, application assembly, i18n, CLI."""
