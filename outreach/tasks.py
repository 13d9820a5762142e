"""Large campaigns, sent by the worker (see jobs/tasks.py)."""

from collections.abc import Callable

from django.urls import reverse

from jobs.models import Job
from jobs.tasks import runner
from outreach.models import Campaign
from outreach.sending import run_campaign

CAMPAIGN_JOB = "outreach_campaign"


@runner(CAMPAIGN_JOB)
def run_campaign_job(job: Job, report: Callable[..., None]) -> None:
    campaign = Campaign.objects.select_related("created_by").get(pk=job.params["campaign"])
    run_campaign(campaign, job.params["site_url"], report)
    job.message = campaign.summary()
    job.result_url = reverse("admin:outreach_campaign_change", args=[campaign.pk])
    job.result_label = campaign.name
