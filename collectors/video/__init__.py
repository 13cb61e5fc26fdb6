"""Video platforms read through yt-dlp (TikTok, YouTube, Facebook) and their shared helpers."""
