"""Game leaderboard: ranks a board's scores and returns the top N and a player's neighbours."""

import json
import logging
import os
from datetime import datetime, timezone

from sortedcontainers import SortedDict, SortedList

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

DEFAULT_TOP = int(os.environ.get("DEFAULT_TOP", "10"))
NEIGHBOURS = int(os.environ.get("NEIGHBOURS", "2"))


def _entry(score):
    # Highest points first; on a tie the earlier submission wins.
    submitted = datetime.fromisoformat(score["submitted_at"]).astimezone(timezone.utc)
    return (-int(score["points"]), submitted.timestamp(), score["player"])


def build_board(scores):
    """Keeps each player's best score only, then orders the board."""
    best = {}
    for score in scores:
        entry = _entry(score)
        current = best.get(score["player"])
        if current is None or entry < current:
            best[score["player"]] = entry
    return SortedList(best.values())


def standing(board, rank):
    points, submitted, player = board[rank]
    return {
        "rank": rank + 1,
        "player": player,
        "points": -points,
        "submitted_at": datetime.fromtimestamp(submitted, timezone.utc).isoformat(),
    }


def point_brackets(board, width):
    """Counts players per bracket of `width` points, lowest bracket first."""
    brackets = SortedDict()
    for points, _, _ in board:
        floor = (-points // width) * width
        brackets[floor] = brackets.get(floor, 0) + 1
    return [{"from": floor, "to": floor + width - 1, "players": n} for floor, n in brackets.items()]


def handler(event, context):
    board = build_board(event.get("scores", []))
    top = min(int(event.get("top", DEFAULT_TOP)), len(board))
    result = {
        "board": event.get("board", "default"),
        "players": len(board),
        "top": [standing(board, rank) for rank in range(top)],
        "brackets": point_brackets(board, int(event.get("bracket_width", 100))),
    }

    player = event.get("player")
    if player:
        rank = next((i for i, entry in enumerate(board) if entry[2] == player), None)
        if rank is None:
            result["around_player"] = []
        else:
            first, last = max(rank - NEIGHBOURS, 0), min(rank + NEIGHBOURS + 1, len(board))
            result["around_player"] = [standing(board, i) for i in range(first, last)]

    LOGGER.info("ranked %d players on %s", len(board), result["board"])
    return {"statusCode": 200, "body": json.dumps(result)}
