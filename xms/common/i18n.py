"""oslo.i18n translation markers for XMS."""

import oslo_i18n

_translators = oslo_i18n.TranslatorFactory(domain='xms')

# The primary translation function using the well-known name "_"
_ = _translators.primary
