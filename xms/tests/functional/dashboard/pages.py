"""The Migration panels as a user sees them (page objects).

Buttons are found by the value Horizon gives them
(``<table>__<action>[__<row id>]``) and clicked through the DOM, the way a
click on the button or its drop-down entry submits the table's form.
"""

ENVIRONMENTS = '/project/migration_environments/'
DISCOVER = '/project/migration_discover/'
MIGRATIONS = '/project/migration_jobs/'
EVENTS = '/project/migration_events/'
PAGES = (ENVIRONMENTS, DISCOVER, MIGRATIONS, EVENTS)


class Panels:

    def __init__(self, browser):
        self.b = browser
        self.driver = browser.driver

    # -- generic ----------------------------------------------------------

    def open(self, path):
        self.b.open(path)

    def buttons(self):
        """Every action a table offers: ``{value or id: text}``."""
        found = {}
        for el in self.b.css('.table_actions button, .table_actions a.btn,'
                             ' .actions_column button, .actions_column a'):
            key = (el.get_attribute('value') or el.get_attribute('id')
                   or el.get_attribute('href') or '')
            if 'dropdown-toggle' in (el.get_attribute('class') or ''):
                continue
            if 'filter' in key:
                continue
            found[key] = el.get_attribute('textContent').strip()
        return found

    def click(self, value):
        """Click the table button whose value is ``value``."""
        self.b.wait(lambda: self.b.css('button[value="%s"]' % value),
                    'button %s' % value)
        self.driver.execute_script(
            'document.querySelector(arguments[0]).click()',
            'button[value="%s"]' % value)
        self.b.wait_ready()

    def confirm(self):
        """Press the confirmation modal's submit button."""
        self.b.wait(lambda: [e for e in self.b.css('.modal .btn-danger, '
                                                   '.modal .btn-primary')
                             if e.is_displayed()], 'confirmation')
        btn = [e for e in self.b.css('.modal .btn-danger, '
                                     '.modal .btn-primary')
               if e.is_displayed()][0]
        btn.click()
        self.b.wait_ready()

    def set_value(self, element_id, value):
        self.driver.execute_script(
            'var e = document.getElementById(arguments[0]);'
            'e.value = arguments[1];'
            'e.dispatchEvent(new Event("change", {bubbles: true}));',
            element_id, value)

    def submit(self, field_id):
        """Submit the form holding the field ``field_id``."""
        self.driver.execute_script(
            'document.getElementById(arguments[0]).form.requestSubmit()',
            field_id)

    def tick(self, selector):
        self.driver.execute_script(
            'var e = document.querySelector(arguments[0]);'
            'if (!e.checked) { e.click(); }', selector)

    def messages(self):
        return ' '.join(e.get_attribute('textContent')
                        for e in self.b.css('.messages .alert'))

    def row(self, table, obj_id):
        rows = self.b.css('tr#%s__row__%s' % (table, obj_id))
        return rows[0] if rows else None

    def cell_text(self, table, obj_id, header):
        """The text of a row's cell under the column titled ``header``."""
        heads = [h.get_attribute('textContent').strip() for h in self.b.css(
            'table#%s thead tr.table_column_header th' % table)]
        if header not in heads:
            return None
        row = self.row(table, obj_id)
        if row is None:
            return None
        cells = row.find_elements('css selector', 'td')
        index = heads.index(header)
        return cells[index].get_attribute('textContent').strip() \
            if index < len(cells) else None
