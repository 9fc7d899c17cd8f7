"""The persistent download queue: job store, job steps, transfer watching, the slskd port."""
