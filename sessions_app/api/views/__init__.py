"""The sessions API: sessions and their actions, the transcript, facts and fixes of one
session, and the flow library."""

from .flows import FlowViewSet
from .palette import PaletteViewSet
from .session_items import FactViewSet, FixViewSet, MessageViewSet
from .sessions import SessionViewSet

__all__ = ["FactViewSet", "FixViewSet", "FlowViewSet", "MessageViewSet", "PaletteViewSet", "SessionViewSet"]
