"""Thin Celery adapters. (Foundation placeholder: the alerts issue implements the services.)"""

from celery import shared_task


@shared_task(acks_late=True)
def evaluate_patient(patient_id: int) -> None:
    return None
