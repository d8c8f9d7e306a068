"""Migration operations of our own: one, for indexes added to tables that are already big."""

from django.db.migrations.operations import AddIndex


class AddIndexWhileWriting(AddIndex):
    """Django's AddIndex, built CONCURRENTLY on PostgreSQL so logging goes on while a big table is
    indexed (the migration must say `atomic = False`); a plain index on SQLite, the embedded default,
    whose tables are small. Django's own AddIndexConcurrently is PostgreSQL only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.add_index(model, self.index, concurrently=True)
            else:
                schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.remove_index(model, self.index, concurrently=True)
            else:
                schema_editor.remove_index(model, self.index)
