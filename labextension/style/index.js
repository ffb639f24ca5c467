import './base.css';
import './compare.css';
import './views.css';
import './navigator.css';
